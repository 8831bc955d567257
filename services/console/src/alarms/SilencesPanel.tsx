import { Button, Tag } from "antd";
import dayjs from "dayjs";
import { useMemo } from "react";
import { useApi } from "../api/client";
import type { components } from "../api/schema";
import { useSession } from "../auth/AuthProvider";
import { ActionButton } from "../dossier/ActionButton";
import { ItemForm, type FieldSpec } from "../dossier/ItemForm";
import { ItemTable } from "../dossier/ItemTable";
import { useItemForm } from "../dossier/useItemForm";
import { useI18n } from "../i18n/LanguageProvider";
import { can } from "../lib/roles";
import { formatTime } from "../lib/time";
import { useLoad } from "../lib/useLoad";

type Silence = components["schemas"]["SilenceRead"];

const FIELDS: FieldSpec[] = [
  { name: "uscc", label: "units.uscc", required: true, max: 18 },
  { name: "device_id", label: "silence.device", max: 200 },
  { name: "starts_at", label: "silence.startsAt", kind: "datetime" },
  { name: "ends_at", label: "silence.endsAt", kind: "datetime", required: true },
  { name: "reason", label: "silence.reason", kind: "textarea", required: true, max: 500 },
  { name: "includes_life_safety", label: "silence.lifeSafety", kind: "switch" },
];

/** Whether a silence is over: cancelled, or its window passed. */
export function silenceOver(silence: Silence, now = dayjs()): boolean {
  return silence.state === "cancelled" || (!!silence.ends_at && dayjs(silence.ends_at).isBefore(now));
}

/**
 * Silences (maintenance windows) of units in scope: who set them, why and until when. A unit's alarms in a
 * window are taken in and shown as suppressed; panic and hold-up alarms only once a second person approved.
 */
export function SilencesPanel({ uscc }: { uscc?: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const { roles, username } = useSession();
  const silences = useLoad(() => api.GET("/api/v1/alarm-silences", { params: { query: uscc ? { uscc } : {} } }), [api, uscc]);
  const form = useItemForm<never>();
  const unit = useSession().user.profile?.unit as string | undefined;
  const defaults = useMemo(() => ({ uscc: uscc ?? unit ?? "" }), [uscc, unit]);
  const manage = can(roles, "silenceAlarms");
  const approve = can(roles, "approveSilence");
  return (
    <>
      <ItemTable<Silence>
        loaded={silences}
        toolbar={
          manage && (
            <Button type="primary" onClick={form.openNew}>
              {t("silence.new")}
            </Button>
          )
        }
        columns={[
          { title: t("units.uscc"), dataIndex: "uscc", render: (v: string, s) => <code title={s.device_id ?? undefined}>{v}</code> },
          {
            title: t("silence.window"),
            key: "window",
            render: (_: unknown, s) => `${formatTime(s.starts_at)} — ${formatTime(s.ends_at)}`,
          },
          { title: t("silence.reason"), dataIndex: "reason" },
          {
            title: t("silence.lifeSafety"),
            dataIndex: "includes_life_safety",
            render: (v: boolean) => (v ? <Tag color="red">{t("silence.lifeSafetyShort")}</Tag> : null),
          },
          {
            title: t("dossier.state"),
            dataIndex: "state",
            render: (v: string, s) =>
              silenceOver(s) && v !== "cancelled" ? (
                <Tag>{t("silence.ended")}</Tag>
              ) : (
                <Tag color={v === "active" ? "blue" : v === "pending_approval" ? "gold" : undefined}>{label("silence_state", v)}</Tag>
              ),
          },
          { title: t("silence.createdBy"), key: "by", render: (_: unknown, s) => s.created_by?.name ?? "—" },
          { title: t("silence.approvedBy"), key: "approved", render: (_: unknown, s) => s.approved_by?.name ?? "—" },
        ]}
        rowActions={(s) => (
          <>
            {s.state === "pending_approval" && approve && s.created_by?.name !== username && !silenceOver(s) && (
              <ActionButton
                primary
                confirm={t("silence.approveConfirm")}
                call={() => api.POST("/api/v1/alarm-silences/{silence_id}/approve", { params: { path: { silence_id: s.id } } })}
                onDone={silences.reload}
              >
                {t("silence.approve")}
              </ActionButton>
            )}
            {!silenceOver(s) && manage && (
              <ActionButton
                danger
                confirm={t("silence.cancelConfirm")}
                call={() => api.POST("/api/v1/alarm-silences/{silence_id}/cancel", { params: { path: { silence_id: s.id } } })}
                onDone={silences.reload}
              >
                {t("silence.cancel")}
              </ActionButton>
            )}
          </>
        )}
      />
      <ItemForm
        title={t("silence.new")}
        open={form.open}
        fields={FIELDS}
        item={defaults}
        submit={(body) =>
          api.POST("/api/v1/alarm-silences", {
            body: {
              ...body,
              device_id: body.device_id ? String(body.device_id) : null,
            } as components["schemas"]["SilenceCreate"],
          })
        }
        onClose={form.close}
        onDone={silences.reload}
      />
    </>
  );
}
