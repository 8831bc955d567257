import { Button, Space, Tag } from "antd";
import { useMemo } from "react";
import { useApi } from "../api/client";
import type { components } from "../api/schema";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/LanguageProvider";
import { can } from "../lib/roles";
import { formatDate } from "../lib/time";
import { useLoad } from "../lib/useLoad";
import { ActionButton } from "./ActionButton";
import { ItemForm, type FieldSpec } from "./ItemForm";
import { ItemTable } from "./ItemTable";
import { useItemForm } from "./useItemForm";

type Hazard = components["schemas"]["HazardRead"];
type Inspection = components["schemas"]["InspectionRead"];
type Body = Record<string, unknown>;

const INSPECTION_FIELDS: FieldSpec[] = [
  { name: "inspected_on", label: "dossier.inspectedOn", kind: "date", required: true },
  { name: "organisation", label: "dossier.inspectingOrganisation", required: true, max: 200 },
  { name: "inspectors", label: "dossier.inspectorsLines", kind: "lines", required: true },
  { name: "findings", label: "dossier.findings", kind: "textarea", max: 2000 },
];
const RECTIFY_FIELDS: FieldSpec[] = [
  { name: "rectification_note", label: "hazard.rectificationNote", kind: "textarea", required: true, max: 2000 },
  { name: "evidence", label: "hazard.evidence", required: true, max: 500 },
];
const REJECT_FIELDS: FieldSpec[] = [
  { name: "verification_note", label: "hazard.verificationNote", kind: "textarea", max: 2000 },
  { name: "new_deadline", label: "hazard.newDeadline", kind: "date" },
];

/** Inspections by police and regulators and the hazards they found: opened with a deadline by the inspecting
 *  party, rectified by the unit with evidence, verified (or reopened) by the inspecting party. */
export function InspectionsTab({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const { roles } = useSession();
  const inspect = can(roles, "inspect");
  const inspections = useLoad(
    () => api.GET("/api/v1/units/{uscc}/inspections", { params: { path: { uscc }, query: { limit: 50 } } }),
    [api, uscc],
  );
  const hazards = useLoad(
    () => api.GET("/api/v1/units/{uscc}/hazards", { params: { path: { uscc }, query: { limit: 100 } } }),
    [api, uscc],
  );
  const inspectionForm = useItemForm<never>();
  const hazardForm = useItemForm<Inspection>();
  const rectifyForm = useItemForm<Hazard>();
  const rejectForm = useItemForm<Hazard>();
  const hazardFields = useMemo<FieldSpec[]>(
    () => [
      {
        name: "severity",
        label: "dossier.severity",
        kind: "select",
        required: true,
        options: ["low", "medium", "high", "critical"].map((value) => ({ value, label: label("severity", value) })),
      },
      { name: "description", label: "hazard.description", kind: "textarea", required: true, max: 2000 },
      { name: "deadline", label: "dossier.deadline", kind: "date", required: true },
    ],
    [label],
  );
  const hazardPath = (hazard: Hazard) => ({
    path: { uscc, hazard_id: hazard.id },
    header: { "If-Match": `"${hazard.version}"` },
  });
  const reload = () => {
    hazards.reload();
    inspections.reload();
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <ItemTable<Hazard>
        title={t("dossier.hazards")}
        loaded={hazards}
        columns={[
          { title: t("hazard.description"), dataIndex: "description" },
          { title: t("dossier.severity"), dataIndex: "severity", render: (v: string) => label("severity", v) },
          { title: t("dossier.state"), dataIndex: "state", render: (v: string) => label("hazard_state", v) },
          {
            title: t("dossier.deadline"),
            dataIndex: "deadline",
            render: (v: string | null, hazard) => (
              <Space>
                {formatDate(v)}
                {hazard.overdue && <Tag color="red">{t("dossier.overdue")}</Tag>}
              </Space>
            ),
          },
          { title: t("hazard.rectificationNote"), dataIndex: "rectification_note", ellipsis: true },
        ]}
        rowActions={(hazard) => (
          <>
            {hazard.state === "open" && can(roles, "rectifyHazard") && (
              <Button size="small" type="primary" onClick={() => rectifyForm.openFor(hazard)}>
                {t("hazard.rectify")}
              </Button>
            )}
            {hazard.state === "rectified" && can(roles, "verifyHazard") && (
              <>
                <ActionButton
                  primary
                  confirm={t("hazard.acceptConfirm")}
                  call={() =>
                    api.POST("/api/v1/units/{uscc}/hazards/{hazard_id}/verify", {
                      params: hazardPath(hazard),
                      body: { accepted: true, verification_note: "" },
                    })
                  }
                  onDone={reload}
                >
                  {t("hazard.accept")}
                </ActionButton>
                <Button size="small" danger onClick={() => rejectForm.openFor(hazard)}>
                  {t("hazard.reject")}
                </Button>
              </>
            )}
          </>
        )}
      />
      <ItemTable<Inspection>
        title={t("dossier.inspections")}
        loaded={inspections}
        toolbar={
          inspect && (
            <Button type="primary" size="small" onClick={inspectionForm.openNew}>
              {t("inspection.record")}
            </Button>
          )
        }
        columns={[
          { title: t("dossier.inspectedOn"), dataIndex: "inspected_on", render: formatDate },
          { title: t("dossier.inspectingOrganisation"), dataIndex: "organisation" },
          { title: t("dossier.findings"), dataIndex: "findings", ellipsis: true },
        ]}
        rowActions={
          inspect
            ? (inspection) => (
                <Button size="small" onClick={() => hazardForm.openFor(inspection)}>
                  {t("hazard.open")}
                </Button>
              )
            : undefined
        }
      />
      <ItemForm
        title={t("inspection.record")}
        open={inspectionForm.open}
        fields={INSPECTION_FIELDS}
        submit={(body: Body) =>
          api.POST("/api/v1/units/{uscc}/inspections", {
            params: { path: { uscc } },
            body: body as components["schemas"]["InspectionCreate"],
          })
        }
        onClose={inspectionForm.close}
        onDone={reload}
      />
      <ItemForm
        title={t("hazard.open")}
        open={hazardForm.open}
        fields={hazardFields}
        submit={(body: Body) =>
          api.POST("/api/v1/units/{uscc}/inspections/{inspection_id}/hazards", {
            params: { path: { uscc, inspection_id: hazardForm.item!.id } },
            body: body as components["schemas"]["HazardCreate"],
          })
        }
        onClose={hazardForm.close}
        onDone={reload}
      />
      <ItemForm
        title={t("hazard.rectify")}
        open={rectifyForm.open}
        fields={RECTIFY_FIELDS}
        submit={(body: Body) =>
          api.POST("/api/v1/units/{uscc}/hazards/{hazard_id}/rectify", {
            params: hazardPath(rectifyForm.item!),
            body: { rectification_note: String(body.rectification_note), evidence: [{ description: String(body.evidence), uri: "" }] },
          })
        }
        onClose={rectifyForm.close}
        onDone={reload}
      />
      <ItemForm
        title={t("hazard.reject")}
        open={rejectForm.open}
        fields={REJECT_FIELDS}
        submit={(body: Body) =>
          api.POST("/api/v1/units/{uscc}/hazards/{hazard_id}/verify", {
            params: hazardPath(rejectForm.item!),
            body: { accepted: false, ...body } as components["schemas"]["HazardVerification"],
          })
        }
        onClose={rejectForm.close}
        onDone={reload}
        okText={t("hazard.reject")}
      />
    </Space>
  );
}
