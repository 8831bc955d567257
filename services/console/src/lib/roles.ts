/** Realm roles of Keycloak realm `neibao`, as tokens carry them. */
export type Role = "province-admin" | "police" | "regulator" | "unit-security" | "sector-system";

/** What each role may do in the console; the gateway enforces the same (these only shape menus and buttons). */
export const PERMISSIONS = {
  viewUnits: ["province-admin", "police", "regulator", "unit-security"],
  viewDevices: ["province-admin", "police", "regulator", "unit-security"],
  viewAlarms: ["province-admin", "police", "regulator", "unit-security"],
  viewDashboard: ["province-admin", "police", "regulator", "unit-security"],
  viewUnitFigures: ["province-admin", "police", "regulator"],
  acknowledgeAlarm: ["police", "regulator", "unit-security"],
  dispatchAlarm: ["police"],
  resolveAlarm: ["police", "province-admin", "unit-security"],
  silenceAlarms: ["police", "province-admin", "unit-security"],
  approveSilence: ["police", "province-admin"],
  prepareFiling: ["police", "province-admin", "unit-security"],
  decideFiling: ["police", "province-admin"],
  keepDossier: ["unit-security"],
  inspect: ["police", "province-admin", "regulator"],
  rectifyHazard: ["unit-security"],
  verifyHazard: ["police", "province-admin", "regulator"],
  // 平安单位 scoring (issue 9): the unit assesses itself; police and the sector's regulator review.
  viewRankings: ["province-admin", "police", "regulator"],
  viewReviewQueue: ["province-admin", "police", "regulator"],
  selfAssess: ["unit-security"],
  reviewAssessment: ["police", "regulator"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Whether a caller with `roles` may do `permission`. */
export function can(roles: readonly string[], permission: Permission): boolean {
  const allowed: readonly string[] = PERMISSIONS[permission];
  return roles.some((role) => allowed.includes(role));
}
