import type { components } from "./schema";

type Schemas = components["schemas"];
export type UnitRead = Schemas["UnitRead"];
export type DossierRead = Schemas["DossierRead"];
export type AlarmRead = Schemas["AlarmRead"];
export type DeviceRead = Schemas["DevicePage"]["items"][number];
export type ComplianceRead = Schemas["ComplianceRead"];
export type FiguresRead = Schemas["FiguresRead"];
export type UnitFiguresRead = Schemas["UnitFiguresRead"];
export type AlarmFiguresRead = Schemas["AlarmFiguresRead"];
export type PrincipalRead = Schemas["PrincipalRead"];
export type RouteRead = Schemas["RouteRead"];
export type AcknowledgementOutcome = Schemas["AcknowledgementOutcome"];
