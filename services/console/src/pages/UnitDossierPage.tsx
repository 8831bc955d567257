import { Alert, App, Badge, Button, Card, Col, Descriptions, Empty, Form, Input, Result, Row, Space, Statistic, Table, Tabs, Tag, Timeline, Typography } from "antd";
import { useState, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import { problemText, useApi } from "../api/client";
import type { components } from "../api/schema";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/LanguageProvider";
import { maskPhone, maskResidentId } from "../lib/mask";
import { can } from "../lib/roles";
import { formatDate, formatTime } from "../lib/time";
import { useLoad, type Loaded } from "../lib/useLoad";
import { ComplianceTable } from "./ComplianceTable";

/** Shows a loading state, an error, or what `render` makes of the answer. */
function Loading<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  const { t } = useI18n();
  if (loaded.error) return <Alert type="error" showIcon title={t("common.error")} description={loaded.error} />;
  if (loaded.loading && !loaded.data) return <Card loading />;
  return loaded.data ? <>{children(loaded.data)}</> : <Empty />;
}

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
  const { t } = useI18n();
  const api = useApi();
  const designations = useLoad(
    () => api.GET("/api/v1/units/{uscc}/designations", { params: { path: { uscc } } }),
    [api, uscc],
  );
  return (
    <Loading loaded={designations}>
      {(list) => (
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={list.items}
          columns={[
            { title: t("dossier.category"), dataIndex: "category" },
            { title: t("dossier.state"), dataIndex: "state", render: (v: string) => <Tag>{v}</Tag> },
            { title: t("dossier.effective"), dataIndex: "designated_on", render: formatDate },
            { title: t("dossier.decisionNote"), dataIndex: "reason" },
            { title: t("dossier.confirmedAt"), dataIndex: "confirmed_at", render: formatTime },
          ]}
        />
      )}
    </Loading>
  );
}

type FilingRead = components["schemas"]["FilingRead"];

/** The police's decision on a submitted filing: accept with a note, or return with reasons. */
function FilingDecision({ uscc, filing, onDecided }: { uscc: string; filing: FilingRead; onDecided: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const { message } = App.useApp();
  const [note, setNote] = useState("");
  const [reasons, setReasons] = useState("");
  const [busy, setBusy] = useState(false);
  const params = {
    path: { uscc, filing_id: filing.id },
    header: { "If-Match": `"${filing.version}"` },
  };
  const decide = async (accept: boolean) => {
    setBusy(true);
    const answer = accept
      ? await api.POST("/api/v1/units/{uscc}/filings/{filing_id}/accept", { params, body: { note } })
      : await api.POST("/api/v1/units/{uscc}/filings/{filing_id}/return", {
          params,
          body: { reasons: reasons.split("\n").map((line) => line.trim()).filter(Boolean) },
        });
    setBusy(false);
    if (answer.error) {
      void message.error(problemText(answer.error) || t("common.error"));
      return;
    }
    void message.success(t("filing.done"));
    onDecided();
  };
  return (
    <Form layout="vertical" style={{ marginTop: 12 }} onSubmitCapture={(e) => e.preventDefault()}>
      <Form.Item label={t("filing.note")} htmlFor={`note-${filing.id}`}>
        <Input id={`note-${filing.id}`} value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
      </Form.Item>
      <Form.Item label={t("filing.reasons")} htmlFor={`reasons-${filing.id}`}>
        <Input.TextArea id={`reasons-${filing.id}`} rows={2} value={reasons} onChange={(e) => setReasons(e.target.value)} />
      </Form.Item>
      <Space>
        <Button type="primary" loading={busy} onClick={() => void decide(true)}>
          {t("filing.accept")}
        </Button>
        <Button danger loading={busy} disabled={!reasons.trim()} onClick={() => void decide(false)}>
          {t("filing.return")}
        </Button>
      </Space>
    </Form>
  );
}

function Filing({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const session = useSession();
  const filings = useLoad(() => api.GET("/api/v1/units/{uscc}/filings", { params: { path: { uscc } } }), [api, uscc]);
  return (
    <Loading loaded={filings}>
      {(list) =>
        list.items.length === 0 ? (
          <Empty description={t("dossier.noFiling")} />
        ) : (
          <Space orientation="vertical" style={{ width: "100%" }}>
            {list.items.map((filing) => (
              <Card
                key={filing.id}
                size="small"
                title={filing.in_force ? t("dossier.filingInForce") : t("dossier.openFiling")}
                extra={<Tag color={filing.state === "accepted" ? "green" : "gold"}>{label("filing_state", filing.state)}</Tag>}
              >
                <Descriptions size="small" column={{ xs: 1, md: 3 }}>
                  <Descriptions.Item label={t("dossier.organisation")}>{filing.organisation_name}</Descriptions.Item>
                  <Descriptions.Item label={t("dossier.head")}>{filing.head_name}</Descriptions.Item>
                  <Descriptions.Item label={t("dossier.established")}>{formatDate(filing.established_on)}</Descriptions.Item>
                  <Descriptions.Item label={t("dossier.staffFullTime")}>{filing.full_time_staff}</Descriptions.Item>
                  <Descriptions.Item label={t("dossier.staffPartTime")}>{filing.part_time_staff}</Descriptions.Item>
                  <Descriptions.Item label={t("dossier.decisionNote")}>{filing.decision_note ?? "—"}</Descriptions.Item>
                </Descriptions>
                {filing.state === "submitted" && can(session.roles, "decideFiling") && (
                  <FilingDecision uscc={uscc} filing={filing} onDecided={filings.reload} />
                )}
                {filing.return_reasons.length > 0 && (
                  <Alert type="warning" showIcon style={{ margin: "12px 0" }} title={filing.return_reasons.join("；")} />
                )}
                <Typography.Text strong>{t("dossier.history")}</Typography.Text>
                <Timeline
                  style={{ marginTop: 12 }}
                  items={filing.history.map((step) => ({
                    children: `${formatTime(step.at)} · ${step.action} · ${step.actor?.name ?? ""} ${step.note ?? ""}`,
                  }))}
                />
              </Card>
            ))}
          </Space>
        )
      }
    </Loading>
  );
}

function Persons({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const persons = useLoad(
    () => api.GET("/api/v1/units/{uscc}/responsible-persons", { params: { path: { uscc } } }),
    [api, uscc],
  );
  return (
    <Loading loaded={persons}>
      {(list) => (
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={list.items}
          columns={[
            { title: t("dossier.role"), dataIndex: "role", render: (v: string) => label("responsible_role", v) },
            { title: t("dossier.personName"), dataIndex: "name" },
            { title: t("dossier.position"), dataIndex: "position" },
            { title: t("dossier.phone"), dataIndex: "phone", render: (v: string | null) => maskPhone(v) },
            { title: t("dossier.effective"), dataIndex: "appointed_on", render: formatDate },
          ]}
        />
      )}
    </Loading>
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
    <Loading loaded={staff}>
      {(page) => (
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Alert type="info" showIcon title={t("dossier.masked")} />
          <Table
            rowKey="id"
            size="small"
            pagination={{ pageSize: 20 }}
            dataSource={page.items}
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
      )}
    </Loading>
  );
}

function KeyParts({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const parts = useLoad(() => api.GET("/api/v1/units/{uscc}/key-parts", { params: { path: { uscc } } }), [api, uscc]);
  return (
    <Loading loaded={parts}>
      {(list) => (
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={list.items}
          columns={[
            { title: t("units.name"), dataIndex: "name" },
            { title: t("dossier.location"), dataIndex: "location" },
            { title: t("dossier.measures"), dataIndex: "protection_measures", render: (v: string[]) => v.join("、") },
            {
              title: t("dossier.requiredDevices"),
              dataIndex: "required_device_types",
              render: (v: string[]) => v.map((type) => <Tag key={type}>{label("device_type", type)}</Tag>),
            },
          ]}
        />
      )}
    </Loading>
  );
}

function PlansAndDrills({ uscc }: { uscc: string }) {
  const { t } = useI18n();
  const api = useApi();
  const plans = useLoad(() => api.GET("/api/v1/units/{uscc}/emergency-plans", { params: { path: { uscc } } }), [api, uscc]);
  const drills = useLoad(
    () => api.GET("/api/v1/units/{uscc}/drills", { params: { path: { uscc }, query: { limit: 50 } } }),
    [api, uscc],
  );
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small" title={t("dossier.plans")}>
        <Loading loaded={plans}>
          {(list) => (
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={list.items}
              columns={[
                { title: t("units.name"), dataIndex: "title" },
                { title: t("dossier.scenario"), dataIndex: "scenario" },
                { title: t("dossier.version"), dataIndex: "version" },
                { title: t("dossier.effective"), dataIndex: "effective_on", render: formatDate },
              ]}
            />
          )}
        </Loading>
      </Card>
      <Card size="small" title={t("dossier.drills")}>
        <Loading loaded={drills}>
          {(page) => (
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={page.items}
              columns={[
                { title: t("dossier.heldOn"), dataIndex: "drilled_on", render: formatDate },
                { title: t("dossier.scenario"), dataIndex: "scenario" },
                { title: t("dossier.participants"), dataIndex: "participants" },
                { title: t("dossier.jointWithPolice"), dataIndex: "joint_with_police", render: (v: boolean) => (v ? "✓" : "") },
              ]}
            />
          )}
        </Loading>
      </Card>
    </Space>
  );
}

type HazardRead = components["schemas"]["HazardRead"];

/** The inspecting party's verdict on a rectified hazard: verified (closed) or open again. */
function HazardVerdict({ uscc, hazard, onDone }: { uscc: string; hazard: HazardRead; onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const verify = async (accepted: boolean) => {
    setBusy(true);
    const { error } = await api.POST("/api/v1/units/{uscc}/hazards/{hazard_id}/verify", {
      params: { path: { uscc, hazard_id: hazard.id }, header: { "If-Match": `"${hazard.version}"` } },
      body: { accepted, verification_note: "" },
    });
    setBusy(false);
    if (error) {
      void message.error(problemText(error) || t("common.error"));
      return;
    }
    void message.success(t("filing.done"));
    onDone();
  };
  return (
    <Space>
      <Button size="small" type="primary" loading={busy} onClick={() => void verify(true)}>
        {t("hazard.accept")}
      </Button>
      <Button size="small" danger loading={busy} onClick={() => void verify(false)}>
        {t("hazard.reject")}
      </Button>
    </Space>
  );
}

function Inspections({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const session = useSession();
  const inspections = useLoad(
    () => api.GET("/api/v1/units/{uscc}/inspections", { params: { path: { uscc }, query: { limit: 50 } } }),
    [api, uscc],
  );
  const hazards = useLoad(
    () => api.GET("/api/v1/units/{uscc}/hazards", { params: { path: { uscc }, query: { limit: 100 } } }),
    [api, uscc],
  );
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small" title={t("dossier.hazards")}>
        <Loading loaded={hazards}>
          {(page) => (
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={page.items}
              columns={[
                { title: t("alarms.description"), dataIndex: "description" },
                { title: t("dossier.severity"), dataIndex: "severity" },
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
                {
                  title: t("common.actions"),
                  key: "actions",
                  render: (_: unknown, hazard) =>
                    hazard.state === "rectified" && can(session.roles, "verifyHazard") ? (
                      <HazardVerdict uscc={uscc} hazard={hazard} onDone={hazards.reload} />
                    ) : null,
                },
              ]}
            />
          )}
        </Loading>
      </Card>
      <Card size="small" title={t("dossier.inspections")}>
        <Loading loaded={inspections}>
          {(page) => (
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={page.items}
              columns={[
                { title: t("dossier.inspectedOn"), dataIndex: "inspected_on", render: formatDate },
                { title: t("dossier.organisation"), dataIndex: "organisation" },
                { title: t("dossier.findings"), dataIndex: "findings", ellipsis: true },
              ]}
            />
          )}
        </Loading>
      </Card>
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
        <Loading loaded={devices}>
          {(page) => (
            <Table
              rowKey="id"
              size="small"
              pagination={{ pageSize: 20 }}
              dataSource={page.items}
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
          )}
        </Loading>
      </Card>
    </Space>
  );
}

/** One unit's dossier, tab by tab; a unit outside the caller's scope answers 404 and shows "not found". */
export function UnitDossierPage() {
  const { uscc = "" } = useParams();
  const { t } = useI18n();
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
    { key: "filing", label: t("dossier.tabs.filing"), children: <Filing uscc={uscc} /> },
    { key: "persons", label: t("dossier.tabs.persons"), children: <Persons uscc={uscc} /> },
    { key: "staff", label: t("dossier.tabs.staff"), children: <Staff uscc={uscc} /> },
    { key: "key-parts", label: t("dossier.tabs.keyParts"), children: <KeyParts uscc={uscc} /> },
    { key: "plans", label: t("dossier.tabs.plans"), children: <PlansAndDrills uscc={uscc} /> },
    { key: "inspections", label: t("dossier.tabs.inspections"), children: <Inspections uscc={uscc} /> },
    { key: "devices", label: t("dossier.tabs.devices"), children: <DevicesAndCompliance uscc={uscc} /> },
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
      <Tabs items={tabs} />
    </Space>
  );
}
