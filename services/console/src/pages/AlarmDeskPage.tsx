import { ExclamationCircleOutlined, SoundOutlined, MutedOutlined } from "@ant-design/icons";
import { Alert, App, Badge, Button, Card, Col, Descriptions, Drawer, Empty, Form, Input, List, Row, Select, Space, Switch, Table, Tag, Timeline, Typography } from "antd";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { problemText, useApi } from "../api/client";
import type { AcknowledgementOutcome, AlarmRead } from "../api/types";
import { AlarmCue } from "../alarms/cue";
import { applyEvent, deadlineMissed, OPEN_STATUSES, rowFromAlarm, siteFindings, sortRows, type AlarmRow, type LiveEvent } from "../alarms/model";
import { followAlarmStream, type StreamState } from "../alarms/stream";
import { useSession } from "../auth/AuthProvider";
import { SilencesPanel } from "../alarms/SilencesPanel";
import { useI18n } from "../i18n/LanguageProvider";
import { maskPhone } from "../lib/mask";
import { can } from "../lib/roles";
import { formatTime } from "../lib/time";

const OUTCOMES = ["real", "false", "test", "duplicate"] as const;
type Outcome = (typeof OUTCOMES)[number];
// What the unit's security office reports from the site; police acknowledge as `accepted` (the gateway's default).
const SITE_OUTCOMES = ["confirmed", "false_alarm", "test", "unable_to_verify"] as const satisfies readonly AcknowledgementOutcome[];
type SiteOutcome = (typeof SITE_OUTCOMES)[number];

const FINDING_COLORS: Record<string, string> = { accepted: "blue", confirmed: "red", false_alarm: "green", test: "default", unable_to_verify: "orange" };

/** What a party found when it acknowledged. */
function FindingTag({ outcome }: { outcome: string }) {
  const { label } = useI18n();
  return <Tag color={FINDING_COLORS[outcome] ?? "default"}>{label("ack_outcome", outcome)}</Tag>;
}

/** A party let its deadline pass. */
function MissedTag({ at }: { at?: string | null }) {
  const { t } = useI18n();
  return (
    <Tag color="warning" icon={<ExclamationCircleOutlined />}>
      {t("alarms.deadlineMissed")}
      {at ? ` ${formatTime(at)}` : ""}
    </Tag>
  );
}

function PriorityTag({ priority }: { priority: number }) {
  const { t } = useI18n();
  const color = priority === 1 ? "red" : priority === 2 ? "volcano" : priority === 3 ? "gold" : "default";
  const key = `priority.${Math.min(Math.max(priority, 1), 4)}` as "priority.1";
  return <Tag color={color}>{t(key)}</Tag>;
}

/** The selected alarm: routes, timeline, the unit's plans, key parts and contacts, and the actions. */
function AlarmDetail({ alarmId, version, onChanged }: { alarmId: string; version: number; onChanged: (alarm: AlarmRead) => void }) {
  const { t, label } = useI18n();
  const api = useApi();
  const session = useSession();
  const { message } = App.useApp();
  const [alarm, setAlarm] = useState<AlarmRead>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [finding, setFinding] = useState<SiteOutcome>();
  // The unit's security office acknowledges on site and says what it found; police take the alarm.
  const onSite = session.roles.includes("unit-security");
  const [note, setNote] = useState("");

  useEffect(() => {
    let current = true;
    api.GET("/api/v1/alarms/{alarm_id}", { params: { path: { alarm_id: alarmId } } }).then(({ data, error: failure }) => {
      if (!current) return;
      if (data) {
        setAlarm(data);
        setError(undefined);
      } else setError(problemText(failure));
    });
    return () => {
      current = false;
    };
  }, [api, alarmId, version]);

  const act = useCallback(
    async (action: "acknowledge" | "dispatch" | "resolve") => {
      setBusy(action);
      const path = { params: { path: { alarm_id: alarmId } } };
      const body = note ? { note } : undefined;
      const answer =
        action === "acknowledge"
          ? await api.POST("/api/v1/alarms/{alarm_id}/acknowledge", { ...path, body: { ...body, ...(onSite && finding ? { outcome: finding } : {}) } })
          : action === "dispatch"
            ? await api.POST("/api/v1/alarms/{alarm_id}/dispatch", { ...path, body })
            : await api.POST("/api/v1/alarms/{alarm_id}/resolve", { ...path, body: { outcome: outcome!, note: note || undefined } });
      setBusy(undefined);
      if (answer.data) {
        setAlarm(answer.data);
        setNote("");
        setFinding(undefined);
        onChanged(answer.data);
        void message.success(t("alarms.done"));
      } else {
        void message.error(problemText(answer.error) || t("common.error"));
      }
    },
    [alarmId, api, finding, message, note, onChanged, onSite, outcome, t],
  );

  if (error) return <Alert type="error" showIcon title={error} />;
  if (!alarm) return <Card loading />;
  const open = OPEN_STATUSES.has(alarm.status ?? "");
  const context = alarm.context;
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} aria-live="polite">
      <Card
        size="small"
        title={
          <Space>
            <PriorityTag priority={alarm.priority} />
            {label("alarm_kind", alarm.kind)}
            <Tag>{label("alarm_status", alarm.status)}</Tag>
          </Space>
        }
        extra={alarm.uscc && <Link to={`/units/${alarm.uscc}`}>{alarm.unit?.name ?? alarm.uscc}</Link>}
      >
        <Descriptions size="small" column={1}>
          <Descriptions.Item label={t("alarms.occurred")}>{formatTime(alarm.occurred_at)}</Descriptions.Item>
          <Descriptions.Item label={t("alarms.description")}>{alarm.description ?? "—"}</Descriptions.Item>
          {alarm.outcome && <Descriptions.Item label={t("alarms.outcome")}>{label("outcome", alarm.outcome)}</Descriptions.Item>}
        </Descriptions>
        {open && (
          <Form layout="vertical" style={{ marginTop: 8 }} onSubmitCapture={(e) => e.preventDefault()}>
            <Form.Item label={t("alarms.note")} htmlFor="alarm-note">
              <Input id="alarm-note" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
            </Form.Item>
            <Space wrap>
              {can(session.roles, "acknowledgeAlarm") && (
                <>
                  {onSite && (
                    <Select<SiteOutcome>
                      aria-label={t("alarms.ackOutcome")}
                      placeholder={t("alarms.ackOutcome")}
                      style={{ width: 160 }}
                      value={finding}
                      onChange={setFinding}
                      options={SITE_OUTCOMES.map((value) => ({ value, label: label("ack_outcome", value) }))}
                    />
                  )}
                  <Button type="primary" disabled={onSite && !finding} loading={busy === "acknowledge"} onClick={() => void act("acknowledge")}>
                    {t("alarms.acknowledge")}
                  </Button>
                </>
              )}
              {can(session.roles, "dispatchAlarm") && (
                <Button loading={busy === "dispatch"} onClick={() => void act("dispatch")}>
                  {t("alarms.dispatch")}
                </Button>
              )}
              {can(session.roles, "resolveAlarm") && (
                <>
                  <Select<Outcome>
                    aria-label={t("alarms.outcome")}
                    placeholder={t("alarms.outcome")}
                    style={{ width: 140 }}
                    value={outcome}
                    onChange={setOutcome}
                    options={OUTCOMES.map((value) => ({ value, label: label("outcome", value) }))}
                  />
                  <Button danger disabled={!outcome} loading={busy === "resolve"} onClick={() => void act("resolve")}>
                    {t("alarms.resolve")}
                  </Button>
                </>
              )}
            </Space>
          </Form>
        )}
      </Card>
      <Card size="small" title={t("alarms.routes")}>
        <List
          size="small"
          dataSource={alarm.routes}
          renderItem={(route) => (
            <List.Item>
              <Space orientation="vertical" size={0}>
                <Space wrap>
                  <Tag color={route.role === "respond" ? "blue" : "default"}>{label("party", route.party)}</Tag>
                  <code>{route.target}</code>
                  {route.acknowledged_at ? (
                    <Badge status="success" text={`${t("alarms.acknowledge")} ${formatTime(route.acknowledged_at)} ${route.acknowledged_by?.name ?? ""}`} />
                  ) : route.acknowledge_by ? (
                    <Badge status="warning" text={`≤ ${formatTime(route.acknowledge_by)}`} />
                  ) : null}
                  {route.acknowledgement_outcome && <FindingTag outcome={route.acknowledgement_outcome} />}
                  {route.deadline_missed_at && <MissedTag at={route.deadline_missed_at} />}
                </Space>
                {route.acknowledgement_note && <Typography.Text>{route.acknowledgement_note}</Typography.Text>}
                <Typography.Text type="secondary">{route.reason}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      </Card>
      <Card size="small" title={t("alarms.timeline")}>
        <Timeline
          items={alarm.timeline.map((entry) => ({
            color: entry.type === "escalated" ? "red" : entry.type === "deadline_missed" ? "orange" : entry.type === "resolved" ? "green" : "blue",
            ...(entry.type === "deadline_missed" ? { icon: <ExclamationCircleOutlined aria-hidden /> } : {}),
            content: (
              <span>
                {formatTime(entry.at)} · <strong>{label("timeline", entry.type)}</strong>
                {entry.actor?.name ? ` · ${entry.actor.name}` : ""}
                {entry.party ? ` · ${label("party", entry.party)} ${entry.target ?? ""}` : ""}
                {entry.detail ? ` · ${entry.detail}` : ""}
              </span>
            ),
          }))}
        />
      </Card>
      {context && (
        <Card size="small" title={t("alarms.context")}>
          <Typography.Text strong>{t("alarms.contacts")}</Typography.Text>
          <List
            size="small"
            dataSource={context.responsible_persons}
            renderItem={(person) => (
              <List.Item>
                {label("responsible_role", person.role)} · {person.name} · {person.position ?? ""} · {maskPhone(person.phone)}
              </List.Item>
            )}
          />
          <Typography.Text strong>{t("dossier.keyParts")}</Typography.Text>
          <List
            size="small"
            dataSource={context.key_parts}
            renderItem={(part) => (
              <List.Item>
                {part.id === context.alarm_key_part?.id ? <Tag color="red">!</Tag> : null}
                {part.name} · {part.location ?? ""}
              </List.Item>
            )}
          />
          <Typography.Text strong>{t("dossier.plans")}</Typography.Text>
          <List
            size="small"
            dataSource={context.emergency_plans}
            renderItem={(plan) => (
              <List.Item>
                {plan.title} · {plan.scenario ?? ""}
              </List.Item>
            )}
          />
        </Card>
      )}
    </Space>
  );
}

/** The live alarm desk: the list from the stream, a cue for priority 1, and the selected alarm's detail. */
export function AlarmDeskPage() {
  const { t, label } = useI18n();
  const api = useApi();
  const session = useSession();
  const [rows, setRows] = useState<AlarmRow[]>([]);
  const [error, setError] = useState<string>();
  const [state, setState] = useState<StreamState>("connecting");
  const [selected, setSelected] = useState<string>();
  const [versions, setVersions] = useState<Record<string, number>>({});
  const [flash, setFlash] = useState<AlarmRow | null>(null);
  const [flashing, setFlashing] = useState<Set<string>>(new Set());
  const [openOnly, setOpenOnly] = useState(true);
  const [soundOn, setSoundOn] = useState(false);
  const cue = useRef(new AlarmCue());
  const seen = useRef(new Set<string>());

  // The list as REST gives it, merged under what the stream has already shown; again after a gap.
  const reload = useCallback(() => {
    api.GET("/api/v1/alarms", { params: { query: { limit: 100 } } }).then(({ data, error: failure }) => {
      if (!data) {
        setError(problemText(failure));
        return;
      }
      const fresh = new Map(data.items.map((alarm) => [alarm.id, rowFromAlarm(alarm)]));
      setRows((live) => [
        ...live.map((row) => fresh.get(row.id) ?? row),
        ...[...fresh.values()].filter((row) => !live.some((known) => known.id === row.id)),
      ]);
      for (const alarm of data.items) seen.current.add(alarm.id);
    });
  }, [api]);

  useEffect(reload, [reload]);

  const onEvent = useCallback((event: LiveEvent) => {
    const data = event.data;
    if (!data?.id) return;
    setRows((current) => {
      const { rows: next, added } = applyEvent(current, data);
      if (added && !seen.current.has(added.id)) {
        seen.current.add(added.id);
        // A suppressed alarm is listed as such, without the priority-1 cue (a silence was approved for it).
        if (added.priority === 1 && !added.silenceId && OPEN_STATUSES.has(added.status ?? "received")) {
          setFlash(added);
          setFlashing((ids) => new Set(ids).add(added.id));
          cue.current.play();
        }
      }
      return next;
    });
    setVersions((v) => ({ ...v, [data.id]: (v[data.id] ?? 0) + 1 }));
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void followAlarmStream({
      accessToken: session.accessToken,
      onEvent,
      onState: setState,
      onGap: reload,
      signal: controller.signal,
    });
    return () => controller.abort();
  }, [onEvent, reload, session.accessToken]);

  useEffect(() => {
    const base = t("alarms.title");
    document.title = flash ? `【${t("alarms.p1")}】${base}` : base;
    return () => {
      document.title = t("app.title");
    };
  }, [flash, t]);

  useEffect(() => () => cue.current.disable(), []);

  const shown = useMemo(
    () => sortRows(openOnly ? rows.filter((row) => OPEN_STATUSES.has(row.status ?? "")) : rows),
    [rows, openOnly],
  );

  const onChanged = useCallback((alarm: AlarmRead) => {
    setRows((current) => current.map((row) => (row.id === alarm.id ? { ...rowFromAlarm(alarm), unitName: alarm.unit?.name ?? row.unitName } : row)));
    setFlashing((ids) => {
      const next = new Set(ids);
      next.delete(alarm.id);
      return next;
    });
    setFlash((current) => (current?.id === alarm.id ? null : current));
  }, []);

  const toggleSound = async (on: boolean) => {
    if (on) await cue.current.enable();
    else cue.current.disable();
    setSoundOn(on);
  };

  const [silencesOpen, setSilencesOpen] = useState(false);
  const stateBadge = state === "connected" ? "success" : state === "connecting" ? "processing" : "warning";
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Space align="center" wrap style={{ justifyContent: "space-between", width: "100%" }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t("alarms.title")}
        </Typography.Title>
        <Space wrap>
          <Badge status={stateBadge} text={`${t("alarms.live")}: ${t(`alarms.${state}`)}`} data-testid="stream-state" />
          <Switch checked={openOnly} onChange={setOpenOnly} aria-label={t("alarms.openOnly")} />
          <span>{t("alarms.openOnly")}</span>
          <Button icon={soundOn ? <SoundOutlined /> : <MutedOutlined />} aria-pressed={soundOn} onClick={() => void toggleSound(!soundOn)}>
            {soundOn ? t("alarms.soundOn") : t("alarms.soundOff")}
          </Button>
          <Button onClick={() => setSilencesOpen(true)}>{t("silence.manage")}</Button>
        </Space>
      </Space>
      {flash && (
        <Alert
          className="p1-banner"
          type="error"
          role="alert"
          showIcon
          title={`${t("alarms.newP1")} ${flash.unitName ?? flash.uscc ?? ""} · ${label("alarm_kind", flash.kind)}`}
          action={
            <Button size="small" danger onClick={() => setSelected(flash.id)}>
              {t("alarms.view")}
            </Button>
          }
          closable
          onClose={() => setFlash(null)}
        />
      )}
      {error && <Alert type="error" showIcon title={t("common.error")} description={error} />}
      <Row gutter={16}>
        <Col xs={24} xl={13}>
          <Table<AlarmRow>
            rowKey="id"
            size="small"
            dataSource={shown}
            pagination={{ pageSize: 15 }}
            data-testid="alarm-list"
            rowClassName={(row) =>
              [
                row.priority === 1 && OPEN_STATUSES.has(row.status ?? "") ? "alarm-p1" : "",
                flashing.has(row.id) ? "alarm-p1-flash" : "",
                row.id === selected ? "alarm-row-selected" : "",
              ].join(" ")
            }
            onRow={(row) => ({
              onClick: () => setSelected(row.id),
              onKeyDown: (e) => {
                if (e.key === "Enter" || e.key === " ") {
                  e.preventDefault();
                  setSelected(row.id);
                }
              },
              tabIndex: 0,
              "aria-selected": row.id === selected,
              "data-alarm-id": row.id,
            })}
            columns={[
              { title: t("alarms.priority"), dataIndex: "priority", width: 70, render: (p: number) => <PriorityTag priority={p} /> },
              { title: t("alarms.kind"), dataIndex: "kind", render: (v: string | null) => label("alarm_kind", v) },
              { title: t("alarms.unit"), dataIndex: "unitName", render: (v: string | null, row) => v ?? row.uscc },
              {
                title: t("alarms.status"),
                dataIndex: "status",
                render: (v: string | null, row: AlarmRow) => (
                  <Space size={4}>
                    <Tag>{label("alarm_status", v)}</Tag>
                    {row.silenceId && <Tag color="default">{label("timeline", "suppressed")}</Tag>}
                  </Space>
                ),
              },
              {
                title: t("alarms.ackState"),
                key: "acknowledgement",
                render: (_: unknown, row) => (
                  <Space size={4} wrap>
                    {siteFindings(row).map((found) => (
                      <FindingTag key={found} outcome={found} />
                    ))}
                    {deadlineMissed(row) && <MissedTag />}
                  </Space>
                ),
              },
              { title: t("alarms.occurred"), dataIndex: "occurredAt", render: formatTime },
            ]}
          />
        </Col>
        <Col xs={24} xl={11}>
          {selected ? (
            <AlarmDetail alarmId={selected} version={versions[selected] ?? 0} onChanged={onChanged} />
          ) : (
            <Empty description={t("alarms.select")} />
          )}
        </Col>
      </Row>
      <Drawer title={t("silence.title")} open={silencesOpen} onClose={() => setSilencesOpen(false)} size={1000} destroyOnHidden>
        <SilencesPanel />
      </Drawer>
    </Space>
  );
}
