import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Space, Table, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { useApi } from "../api/client";
import { useI18n } from "../i18n/LanguageProvider";
import type { MessageKey } from "../i18n/messages";
import { formatTime } from "../lib/time";
import { useLoad } from "../lib/useLoad";
import {
  assessmentBody,
  currentPeriod,
  placeProblems,
  type ClaimValues,
  type IndicatorScoreRead,
  type SelfAssessmentRead,
} from "./model";

interface Values {
  claims: ClaimValues;
  note?: string;
}

/** A self-assessment's state and totals. */
export function AssessmentSummary({ assessment }: { assessment: SelfAssessmentRead }) {
  const { t } = useI18n();
  return (
    <Descriptions size="small" bordered column={{ xs: 1, md: 3 }}>
      <Descriptions.Item label={t("scores.period")}>{assessment.period}</Descriptions.Item>
      <Descriptions.Item label={t("scores.state")}>
        <Tag color={assessment.state === "submitted" ? "gold" : "green"}>
          {assessment.state ? t(`scores.state.${assessment.state}` as MessageKey) : "—"}
        </Tag>
      </Descriptions.Item>
      <Descriptions.Item label={t("scores.submittedAt")}>{formatTime(assessment.submitted_at)}</Descriptions.Item>
      <Descriptions.Item label={t("scores.claimedTotal")}>{assessment.claimed_total}</Descriptions.Item>
      <Descriptions.Item label={t("scores.computedTotal")}>{assessment.computed_total ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("scores.reviewedTotal")}>{assessment.reviewed_total ?? "—"}</Descriptions.Item>
    </Descriptions>
  );
}

/** The period's last reviewed self-assessment: its totals and the reviewer's adjustments with their reasons. */
function LastReview({ assessment }: { assessment: SelfAssessmentRead }) {
  const { t } = useI18n();
  return (
    <Card size="small" type="inner" title={t("scores.lastReview")}>
      <Space orientation="vertical" style={{ width: "100%" }}>
        <AssessmentSummary assessment={assessment} />
        {assessment.adjustments.length > 0 && (
          <Table
            rowKey={(row) => row.indicator ?? ""}
            size="small"
            pagination={false}
            dataSource={assessment.adjustments}
            columns={[
              { title: t("scores.indicator"), dataIndex: "indicator", render: (v: string) => <code>{v}</code> },
              { title: t("review.adjustedPoints"), dataIndex: "points", width: 120 },
              { title: t("review.reason"), dataIndex: "reason" },
            ]}
          />
        )}
        {assessment.review_note && <Typography.Text>{`${t("review.note")}：${assessment.review_note}`}</Typography.Text>}
      </Space>
    </Card>
  );
}

/**
 * 联合创建, the unit's side: points claimed for every indicator of the current period with a note each;
 * the gateway's refusals are shown on the fields they name.
 */
export function SelfAssessmentForm({ uscc, indicators }: { uscc: string; indicators: readonly IndicatorScoreRead[] }) {
  const { t } = useI18n();
  const api = useApi();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState<SelfAssessmentRead>();
  const period = currentPeriod();
  const order = useMemo(() => indicators.map((i) => i.indicator ?? ""), [indicators]);
  const assessments = useLoad(
    () => api.GET("/api/v1/self-assessments", { params: { query: { uscc, limit: 20 } } }),
    [api, uscc, submitted],
  );
  const ofPeriod = (assessments.data?.items ?? []).filter((item) => item.period === period);
  const pending = submitted ?? ofPeriod.find((item) => item.state === "submitted");
  const reviewed = ofPeriod.find((item) => item.state !== "submitted");

  const finish = async (values: Values) => {
    setBusy(true);
    setProblem("");
    try {
      const { data, error } = await api.POST("/api/v1/scores/{uscc}/self-assessments", {
        params: { path: { uscc } },
        body: assessmentBody(period, indicators, values.claims ?? {}, values.note),
      });
      if (error !== undefined || !data) {
        const found = placeProblems(error, "items", order, "claims", ["note"]);
        form.setFields(found.fields as Parameters<typeof form.setFields>[0]);
        setProblem(found.message || (found.fields.length ? "" : t("common.error")));
        return;
      }
      void message.success(t("scores.assessmentSubmitted"));
      form.resetFields();
      setSubmitted(data);
    } catch (e) {
      setProblem(String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" title={t("scores.selfAssessment", { period })}>
      {pending ? (
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Alert type="info" showIcon title={t("scores.awaitingReview")} />
          <AssessmentSummary assessment={pending} />
        </Space>
      ) : (
        <Space orientation="vertical" style={{ width: "100%" }}>
          {reviewed && <LastReview assessment={reviewed} />}
          <Form<Values> form={form} layout="vertical" onFinish={(values) => void finish(values)} aria-label={t("scores.selfAssessment", { period })}>
          {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 12 }} role="alert" />}
          <Table<IndicatorScoreRead>
            rowKey={(row) => row.indicator ?? ""}
            size="small"
            pagination={false}
            dataSource={[...indicators]}
            columns={[
              { title: t("scores.indicator"), dataIndex: "name" },
              { title: t("scores.weight"), dataIndex: "weight", width: 80 },
              { title: t("scores.computed"), dataIndex: "points", width: 90 },
              {
                title: t("scores.claimed"),
                key: "points",
                width: 150,
                render: (_: unknown, row) => (
                  <Form.Item
                    name={["claims", row.indicator ?? "", "points"]}
                    rules={[
                      { required: true, message: t("form.required") },
                      { type: "number", min: 0, max: row.weight, message: t("scores.pointsRange", { max: row.weight }) },
                    ]}
                    style={{ margin: 0 }}
                  >
                    <InputNumber aria-label={`${row.name ?? row.indicator} ${t("scores.claimed")}`} step={0.5} style={{ width: "100%" }} />
                  </Form.Item>
                ),
              },
              {
                title: t("scores.claimNote"),
                key: "note",
                render: (_: unknown, row) => (
                  <Form.Item name={["claims", row.indicator ?? "", "note"]} rules={[{ max: 2000, message: t("form.tooLong", { n: 2000 }) }]} style={{ margin: 0 }}>
                    <Input aria-label={`${row.name ?? row.indicator} ${t("scores.claimNote")}`} />
                  </Form.Item>
                ),
              },
            ]}
          />
          <Form.Item name="note" label={t("scores.assessmentNote")} style={{ marginTop: 12 }} rules={[{ max: 2000, message: t("form.tooLong", { n: 2000 }) }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t("scores.submitAssessment")}
            </Button>
            <Button onClick={() => form.setFieldsValue({ claims: Object.fromEntries(indicators.map((i) => [i.indicator ?? "", { points: i.points }])) })}>
              {t("scores.useComputed")}
            </Button>
            <Typography.Text type="secondary">{t("scores.assessmentHint")}</Typography.Text>
          </Space>
        </Form>
        </Space>
      )}
    </Card>
  );
}
