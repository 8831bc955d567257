import { Button, Space } from "antd";
import { useMemo } from "react";
import { useApi } from "../api/client";
import type { components } from "../api/schema";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/LanguageProvider";
import { can } from "../lib/roles";
import { formatDate } from "../lib/time";
import { useLoad } from "../lib/useLoad";
import { ItemForm, type FieldSpec } from "./ItemForm";
import { ItemTable } from "./ItemTable";
import { useItemForm } from "./useItemForm";

/** Emergency plans and drills (§4: key units drill at least twice a year); drills recorded by the unit. */
export function PlansAndDrillsTab({ uscc }: { uscc: string }) {
  const { t } = useI18n();
  const api = useApi();
  const { roles } = useSession();
  const plans = useLoad(() => api.GET("/api/v1/units/{uscc}/emergency-plans", { params: { path: { uscc } } }), [api, uscc]);
  const drills = useLoad(
    () => api.GET("/api/v1/units/{uscc}/drills", { params: { path: { uscc }, query: { limit: 50 } } }),
    [api, uscc],
  );
  const form = useItemForm<never>();
  const fields = useMemo<FieldSpec[]>(
    () => [
      { name: "drilled_on", label: "dossier.heldOn", kind: "date", required: true },
      { name: "scenario", label: "dossier.scenario", required: true, max: 200 },
      { name: "participants", label: "dossier.participants", kind: "number", required: true, max: 100000 },
      {
        name: "plan_id",
        label: "dossier.plan",
        kind: "select",
        options: (plans.data?.items ?? []).filter((plan) => plan.state === "current").map((plan) => ({ value: plan.plan_id ?? plan.id, label: plan.title ?? "" })),
      },
      { name: "joint_with_police", label: "dossier.jointWithPolice", kind: "switch" },
      { name: "findings", label: "dossier.findings", kind: "textarea", max: 2000 },
    ],
    [plans.data],
  );
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <ItemTable
        title={t("dossier.plans")}
        loaded={plans}
        columns={[
          { title: t("units.name"), dataIndex: "title" },
          { title: t("dossier.scenario"), dataIndex: "scenario" },
          { title: t("dossier.version"), dataIndex: "version" },
          { title: t("dossier.effective"), dataIndex: "effective_on", render: formatDate },
        ]}
      />
      <ItemTable
        title={t("dossier.drills")}
        loaded={drills}
        toolbar={
          can(roles, "keepDossier") && (
            <Button type="primary" size="small" onClick={form.openNew}>
              {t("drills.record")}
            </Button>
          )
        }
        columns={[
          { title: t("dossier.heldOn"), dataIndex: "drilled_on", render: formatDate },
          { title: t("dossier.scenario"), dataIndex: "scenario" },
          { title: t("dossier.participants"), dataIndex: "participants" },
          { title: t("dossier.jointWithPolice"), dataIndex: "joint_with_police", render: (v: boolean) => (v ? "✓" : "") },
        ]}
      />
      <ItemForm
        title={t("drills.record")}
        open={form.open}
        fields={fields}
        submit={(body) =>
          api.POST("/api/v1/units/{uscc}/drills", {
            params: { path: { uscc } },
            body: { ...body, plan_id: body.plan_id || "" } as components["schemas"]["DrillCreate"],
          })
        }
        onClose={form.close}
        onDone={drills.reload}
      />
    </Space>
  );
}
