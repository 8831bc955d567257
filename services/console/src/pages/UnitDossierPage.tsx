import { Alert, Badge, Button, Card, Col, Descriptions, Result, Row, Space, Spin, Statistic, Tabs, Tag, Typography } from "antd";
import { lazy, Suspense } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useApi } from "../api/client";
import { FilingTab } from "../dossier/FilingTab";
import { InspectionsTab } from "../dossier/InspectionsTab";
import { ItemTable, Loading } from "../dossier/ItemTable";
import { KeyPartsTab } from "../dossier/KeyPartsTab";
import { PersonsTab } from "../dossier/PersonsTab";
import { PlansAndDrillsTab } from "../dossier/PlansAndDrillsTab";
import { useI18n } from "../i18n/LanguageProvider";
import { maskPhone, maskResidentId } from "../lib/mask";
import { formatDate, formatTime } from "../lib/time";
import { useLoad } from "../lib/useLoad";
import { ComplianceTable } from "./ComplianceTable";

// The score card brings ECharts: loaded when its tab is first shown.
const ScoreCard = lazy(() => import("../scores/ScoreCard").then((module) => ({ default: module.ScoreCard })));

function Basics({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const unit = useLoad(() => api.GET("/api/v1/units/{uscc}", { params: { path: { uscc } } }), [api, uscc]);
  const dossier = useLoad(() => api.GET("/api/v1/units/{uscc}/dossier", { params: { path: { uscc } } }), [api, uscc]);
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Loading loaded={unit}>
        {(u) => (
          <Descriptions bordered size="small" column={{ xs: 1, md: 2 }}>
            <Descriptions.Item label={t("units.name")}>{u.name}</Descriptions.Item>
            <Descriptions.Item label={t("units.uscc")}>{u.uscc}</Descriptions.Item>
            <Descriptions.Item label={t("units.type")}>{label("unit_type", u.unit_type)}</Descriptions.Item>
            <Descriptions.Item label={t("units.sector")}>{label("sector", u.sector)}</Descriptions.Item>
            <Descriptions.Item label={t("units.jurisdiction")}>
              {u.jurisdiction_name} ({u.jurisdiction})
            </Descriptions.Item>
            <Descriptions.Item label={t("dossier.station")}>{u.police_station ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("dossier.legal")}>{u.legal_representative ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("units.status")}>{label("unit_status", u.status)}</Descriptions.Item>
            <Descriptions.Item label={t("units.address")} span={2}>
              {u.address}
            </Descriptions.Item>
          </Descriptions>
        )}
      </Loading>
      <Loading loaded={dossier}>
        {(d) => (
          <Card title={t("dossier.summary")} size="small">
            <Row gutter={[16, 16]}>
              {(
                [
                  ["dossier.responsiblePersons", d.responsible_persons],
                  ["dossier.staffFullTime", d.staff_full_time],
                  ["dossier.staffPartTime", d.staff_part_time],
                  ["dossier.keyParts", d.key_parts],
                  ["dossier.currentPlans", d.current_plans],
                  ["dossier.drills12", d.drills_last_12_months],
                  ["dossier.inspections12", d.inspections_last_12_months],
                  ["dossier.hazardsOpen", d.hazards_open],
                  ["dossier.hazardsOverdue", d.hazards_overdue],
                  ["dossier.certificatesExpired", d.certificates_expired],
                ] as const
              ).map(([key, value]) => (
                <Col key={key} xs={12} md={6} lg={4}>
                  <Statistic title={t(key)} value={value ?? 0} />
                </Col>
              ))}
            </Row>
          </Card>
        )}
      </Loading>
    </Space>
  );
}

function KeyUnit({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const designations = useLoad(
    () => api.GET("/api/v1/units/{uscc}/designations", { params: { path: { uscc } } }),
    [api, uscc],
  );
  return (
    <ItemTable
      loaded={designations}
      columns={[
        { title: t("dossier.category"), dataIndex: "category", render: (v: string) => label("key_unit_category", v) },
        { title: t("dossier.state"), dataIndex: "state", render: (v: string) => <Tag>{label("designation_state", v)}</Tag> },
        { title: t("dossier.effective"), dataIndex: "designated_on", render: formatDate },
        { title: t("dossier.decisionNote"), dataIndex: "reason" },
        { title: t("dossier.confirmedAt"), dataIndex: "confirmed_at", render: formatTime },
      ]}
    />
  );
}

function Staff({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const staff = useLoad(
    () => api.GET("/api/v1/units/{uscc}/staff", { params: { path: { uscc }, query: { limit: 200 } } }),
    [api, uscc],
  );
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Alert type="info" showIcon title={t("dossier.masked")} />
      <ItemTable
        loaded={staff}
        pageSize={20}
        columns={[
          { title: t("dossier.personName"), dataIndex: "name" },
          { title: t("dossier.residentId"), dataIndex: "resident_id", render: (v: string | null) => <code>{maskResidentId(v)}</code> },
          { title: t("dossier.phone"), dataIndex: "phone", render: (v: string | null) => maskPhone(v) },
          { title: t("dossier.employment"), dataIndex: "employment", render: (v: string) => label("employment", v) },
          { title: t("dossier.position"), dataIndex: "position" },
          {
            title: t("dossier.certificate"),
            key: "certificate",
            render: (_: unknown, member) =>
              member.certificate_expired ? (
                <Badge status="error" text={t("dossier.certificatesExpired")} />
              ) : member.certificate_expiring ? (
                <Badge status="warning" text={t("dossier.certificateExpiring")} />
              ) : (
                <Badge status="success" text={t("dossier.certificateValid")} />
              ),
          },
        ]}
      />
    </Space>
  );
}

function DevicesAndCompliance({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const compliance = useLoad(() => api.GET("/api/v1/units/{uscc}/compliance", { params: { path: { uscc } } }), [api, uscc]);
  const devices = useLoad(
    () => api.GET("/api/v1/devices", { params: { query: { uscc, limit: 200 } } }),
    [api, uscc],
  );
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small" title={t("dossier.compliance")}>
        <Loading loaded={compliance}>{(c) => <ComplianceTable compliance={c} />}</Loading>
      </Card>
      <Card size="small" title={t("dossier.devices")}>
        <ItemTable
          loaded={devices}
          pageSize={20}
          columns={[
            { title: t("devices.name"), dataIndex: "name" },
            { title: t("devices.type"), dataIndex: "device_type", render: (v: string) => label("device_type", v) },
            {
              title: t("devices.status"),
              dataIndex: "status",
              render: (v: string) => <Badge status={v === "online" ? "success" : v === "unknown" ? "default" : "error"} text={label("device_status", v)} />,
            },
            { title: t("devices.lastHeartbeat"), dataIndex: "last_heartbeat_at", render: formatTime },
          ]}
        />
      </Card>
    </Space>
  );
}

/** One unit's dossier, tab by tab; a unit outside the caller's scope answers 404 and shows "not found". */
export function UnitDossierPage() {
  const { uscc = "" } = useParams();
  const { t } = useI18n();
  // The open tab is in the URL (?tab=), so a score's evidence can link to the tab where it lives.
  const [params, setParams] = useSearchParams();
  const api = useApi();
  const unit = useLoad(() => api.GET("/api/v1/units/{uscc}", { params: { path: { uscc } } }), [api, uscc]);
  if (unit.status === 404 || unit.status === 400) {
    return (
      <Result status="404" title="404" subTitle={t("common.notFound")} extra={<Link to="/units">{t("common.back")}</Link>} />
    );
  }
  const tabs = [
    { key: "basics", label: t("dossier.tabs.basics"), children: <Basics uscc={uscc} /> },
    { key: "key-unit", label: t("dossier.tabs.keyUnit"), children: <KeyUnit uscc={uscc} /> },
    { key: "filing", label: t("dossier.tabs.filing"), children: <FilingTab uscc={uscc} /> },
    { key: "persons", label: t("dossier.tabs.persons"), children: <PersonsTab uscc={uscc} /> },
    { key: "staff", label: t("dossier.tabs.staff"), children: <Staff uscc={uscc} /> },
    { key: "key-parts", label: t("dossier.tabs.keyParts"), children: <KeyPartsTab uscc={uscc} /> },
    { key: "plans", label: t("dossier.tabs.plans"), children: <PlansAndDrillsTab uscc={uscc} /> },
    { key: "inspections", label: t("dossier.tabs.inspections"), children: <InspectionsTab uscc={uscc} /> },
    { key: "devices", label: t("dossier.tabs.devices"), children: <DevicesAndCompliance uscc={uscc} /> },
    {
      key: "score",
      label: t("scores.tab"),
      children: (
        <Suspense fallback={<Spin />}>
          <ScoreCard uscc={uscc} />
        </Suspense>
      ),
    },
  ];
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Space align="center" wrap>
        <Button>
          <Link to="/units">{t("common.back")}</Link>
        </Button>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {unit.data?.name ?? uscc}
        </Typography.Title>
        {unit.data?.key_unit && <Tag color="red">{t("units.keyUnit")}</Tag>}
        <code>{uscc}</code>
      </Space>
      {unit.error && unit.status !== 404 && <Alert type="error" showIcon title={unit.error} />}
      <Tabs
        items={tabs}
        activeKey={tabs.some((tab) => tab.key === params.get("tab")) ? params.get("tab")! : "basics"}
        onChange={(key) => setParams({ tab: key }, { replace: true })}
      />
    </Space>
  );
}
