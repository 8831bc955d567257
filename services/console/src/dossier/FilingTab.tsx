import { Alert, Button, Card, Descriptions, Empty, Space, Tag, Timeline, Typography } from "antd";
import { useState } from "react";
import type { Problem } from "../api/client";
import { useApi } from "../api/client";
import type { components } from "../api/schema";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/LanguageProvider";
import { can } from "../lib/roles";
import { formatDate, formatTime } from "../lib/time";
import { useLoad } from "../lib/useLoad";
import { ActionButton } from "./ActionButton";
import { ItemForm, type FieldSpec } from "./ItemForm";
import { Loading } from "./ItemTable";
import { useItemForm } from "./useItemForm";

type FilingRead = components["schemas"]["FilingRead"];
type Body = Record<string, unknown>;

export const FILING_FIELDS: FieldSpec[] = [
  { name: "organisation_name", label: "dossier.organisation", required: true, max: 100 },
  { name: "head_name", label: "dossier.head", required: true, max: 50 },
  { name: "full_time_staff", label: "dossier.staffFullTime", kind: "number", max: 100000 },
  { name: "part_time_staff", label: "dossier.staffPartTime", kind: "number", max: 100000 },
  { name: "established_on", label: "dossier.established", kind: "date" },
  { name: "duties", label: "filing.duties", kind: "textarea", max: 2000 },
];
const ACCEPT_FIELDS: FieldSpec[] = [{ name: "note", label: "filing.note", kind: "textarea", max: 2000 }];
const RETURN_FIELDS: FieldSpec[] = [{ name: "reasons", label: "filing.reasons", kind: "lines", required: true }];

const OPEN_STATES = new Set(["draft", "submitted", "returned"]);

/** The filing workflow (§1): the unit's security staff or its police write and submit the draft; the police
 *  accept it or return it with reasons; every step in the history. */
export function FilingTab({ uscc }: { uscc: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const { roles } = useSession();
  const filings = useLoad(() => api.GET("/api/v1/units/{uscc}/filings", { params: { path: { uscc } } }), [api, uscc]);
  const draftForm = useItemForm<FilingRead>();
  // A submission refused for the draft's content reopens the draft with the refusal on its fields.
  const [submitProblem, setSubmitProblem] = useState<unknown>();
  const acceptForm = useItemForm<FilingRead>();
  const returnForm = useItemForm<FilingRead>();
  const items = filings.data?.items ?? [];
  const open = items.find((filing) => OPEN_STATES.has(filing.state ?? ""));
  const inForce = items.find((filing) => filing.in_force);
  const prepare = can(roles, "prepareFiling");
  const decide = can(roles, "decideFiling");
  const ifMatch = (filing: FilingRead) => ({ "If-Match": `"${filing.version}"` });
  const path = (filing: FilingRead) => ({ uscc, filing_id: filing.id });

  const toolbar = prepare && filings.data && (
    <Space wrap>
      {!open && (
        <Button type="primary" onClick={() => (inForce ? draftForm.openFor(inForce) : draftForm.openNew())}>
          {t("filing.new")}
        </Button>
      )}
      {open && open.state !== "submitted" && (
        <>
          <Button onClick={() => draftForm.openFor(open)}>{t("filing.edit")}</Button>
          <ActionButton
            primary
            confirm={t("filing.submitConfirm")}
            call={() => api.POST("/api/v1/units/{uscc}/filings/{filing_id}/submit", { params: { path: path(open), header: ifMatch(open) } })}
            onDone={filings.reload}
            onError={(error) => {
              if (!(error as Problem | undefined)?.errors?.length) return false;
              setSubmitProblem(error);
              draftForm.openFor(open);
              return true;
            }}
          >
            {t("filing.submit")}
          </ActionButton>
        </>
      )}
    </Space>
  );

  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      {toolbar}
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
                  extra={<Tag color={filing.state === "accepted" ? "green" : filing.state === "returned" ? "red" : "gold"}>{label("filing_state", filing.state)}</Tag>}
                >
                  <Descriptions size="small" column={{ xs: 1, md: 3 }}>
                    <Descriptions.Item label={t("dossier.organisation")}>{filing.organisation_name}</Descriptions.Item>
                    <Descriptions.Item label={t("dossier.head")}>{filing.head_name}</Descriptions.Item>
                    <Descriptions.Item label={t("dossier.established")}>{formatDate(filing.established_on)}</Descriptions.Item>
                    <Descriptions.Item label={t("dossier.staffFullTime")}>{filing.full_time_staff}</Descriptions.Item>
                    <Descriptions.Item label={t("dossier.staffPartTime")}>{filing.part_time_staff}</Descriptions.Item>
                    <Descriptions.Item label={t("dossier.decisionNote")}>{filing.decision_note || "—"}</Descriptions.Item>
                  </Descriptions>
                  {filing.state === "submitted" && decide && (
                    <Space style={{ margin: "8px 0" }}>
                      <Button type="primary" onClick={() => acceptForm.openFor(filing)}>
                        {t("filing.accept")}
                      </Button>
                      <Button danger onClick={() => returnForm.openFor(filing)}>
                        {t("filing.return")}
                      </Button>
                    </Space>
                  )}
                  {filing.return_reasons.length > 0 && (
                    <Alert type="warning" showIcon style={{ margin: "12px 0" }} title={filing.return_reasons.join("；")} />
                  )}
                  <Typography.Text strong>{t("dossier.history")}</Typography.Text>
                  <Timeline
                    style={{ marginTop: 12 }}
                    items={filing.history.map((step) => ({
                      children: `${formatTime(step.at)} · ${label("filing_action", step.action)} · ${step.actor?.name ?? ""} ${step.note ?? ""}`,
                    }))}
                  />
                </Card>
              ))}
            </Space>
          )
        }
      </Loading>
      <ItemForm
        title={t("filing.draftTitle")}
        open={draftForm.open}
        problem={submitProblem}
        fields={FILING_FIELDS}
        item={draftForm.item}
        submit={(body: Body) =>
          api.PUT("/api/v1/units/{uscc}/filings/draft", {
            params: { path: { uscc }, header: open ? ifMatch(open) : {} },
            body: body as components["schemas"]["FilingDraftUpdate"],
          })
        }
        onClose={() => {
          setSubmitProblem(undefined);
          draftForm.close();
        }}
        onDone={filings.reload}
        okText={t("filing.saveDraft")}
      />
      <ItemForm
        title={t("filing.accept")}
        open={acceptForm.open}
        fields={ACCEPT_FIELDS}
        submit={(body: Body) =>
          api.POST("/api/v1/units/{uscc}/filings/{filing_id}/accept", {
            params: { path: path(acceptForm.item!), header: ifMatch(acceptForm.item!) },
            body: body as components["schemas"]["FilingAcceptance"],
          })
        }
        onClose={acceptForm.close}
        onDone={filings.reload}
        okText={t("filing.accept")}
      />
      <ItemForm
        title={t("filing.return")}
        open={returnForm.open}
        fields={RETURN_FIELDS}
        submit={(body: Body) =>
          api.POST("/api/v1/units/{uscc}/filings/{filing_id}/return", {
            params: { path: path(returnForm.item!), header: ifMatch(returnForm.item!) },
            body: body as components["schemas"]["FilingReturn"],
          })
        }
        onClose={returnForm.close}
        onDone={filings.reload}
        okText={t("filing.return")}
      />
    </Space>
  );
}
