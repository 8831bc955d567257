import { Alert, App, Button, Form, Input, InputNumber, Space, Table, Typography } from "antd";
import { useMemo, useState } from "react";
import { useApi } from "../api/client";
import { useI18n } from "../i18n/LanguageProvider";
import { useLoad } from "../lib/useLoad";
import { AssessmentSummary } from "./SelfAssessmentForm";
import { adjustmentsOf, comparison, placeProblems, round, signed, type AdjustValues, type ComparisonRow, type SelfAssessmentRead } from "./model";

interface Values {
  adjust?: AdjustValues;
  note?: string;
}

/**
 * 联合创建, the reviewer's side: the unit's points beside the platform's per indicator; agree, or adjust
 * indicators (points and a reason each). The gateway's refusals are shown on the fields they name.
 */
export function ReviewPanel({
  assessment,
  canReview,
  onReviewed,
}: {
  assessment: SelfAssessmentRead;
  canReview: boolean;
  onReviewed: (reviewed: SelfAssessmentRead) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState<"agree" | "adjust" | null>(null);
  const uscc = assessment.uscc ?? "";
  const score = useLoad(
    () => api.GET("/api/v1/scores/{uscc}", { params: { path: { uscc }, query: { period: assessment.period ?? undefined } } }),
    [api, uscc, assessment.period],
  );
  const rows = useMemo(() => comparison(assessment, score.data), [assessment, score.data]);
  const open = canReview && assessment.state === "submitted";

  const send = async (decision: "agree" | "adjust") => {
    setProblem("");
    let values: Values;
    try {
      values = decision === "adjust" ? await form.validateFields() : form.getFieldsValue();
    } catch {
      return; // the form shows what is missing
    }
    const order = rows.map((row) => row.indicator);
    const adjustments = decision === "adjust" ? adjustmentsOf(order, values.adjust ?? {}) : [];
    if (decision === "adjust" && adjustments.length === 0) {
      setProblem(t("review.needAdjustment"));
      return;
    }
    setBusy(decision);
    try {
      const { data, error } = await api.POST("/api/v1/self-assessments/{assessment_id}/review", {
        params: { path: { assessment_id: assessment.id ?? "" } },
        body: { decision, ...(decision === "adjust" ? { adjustments } : {}), note: values.note?.trim() || null },
      });
      if (error !== undefined || !data) {
        const found = placeProblems(error, "adjustments", adjustments.map((a) => a.indicator), "adjust", ["note"]);
        form.setFields(found.fields as Parameters<typeof form.setFields>[0]);
        setProblem(found.message || (found.fields.length ? "" : t("common.error")));
        return;
      }
      void message.success(decision === "agree" ? t("review.agreed") : t("review.adjusted"));
      onReviewed(data);
    } catch (e) {
      setProblem(String(e));
    } finally {
      setBusy(null);
    }
  };

  const columns = [
    { title: t("scores.indicator"), dataIndex: "name" },
    { title: t("scores.weight"), dataIndex: "weight", width: 70 },
    {
      title: t("scores.claimed"),
      key: "claimed",
      width: 160,
      render: (_: unknown, row: ComparisonRow) => (
        <Space orientation="vertical" size={0}>
          <span>{row.claimed ?? "—"}</span>
          {row.note && <Typography.Text type="secondary">{row.note}</Typography.Text>}
        </Space>
      ),
    },
    { title: t("scores.computed"), dataIndex: "computed", width: 90, render: (v: number | null) => v ?? "—" },
    {
      title: t("review.difference"),
      key: "difference",
      width: 80,
      render: (_: unknown, row: ComparisonRow) => {
        if (row.claimed === null || row.computed === null) return "—";
        const diff = round(row.claimed - row.computed);
        return <Typography.Text type={diff > 0 ? "danger" : undefined}>{signed(diff)}</Typography.Text>;
      },
    },
    ...(open
      ? [
          {
            title: t("review.adjustedPoints"),
            key: "adjust-points",
            width: 130,
            render: (_: unknown, row: ComparisonRow) => (
              <Form.Item
                name={["adjust", row.indicator, "points"]}
                rules={[{ type: "number" as const, min: 0, max: row.weight || 100, message: t("scores.pointsRange", { max: row.weight || 100 }) }]}
                style={{ margin: 0 }}
              >
                <InputNumber aria-label={`${row.name} ${t("review.adjustedPoints")}`} step={0.5} style={{ width: "100%" }} />
              </Form.Item>
            ),
          },
          {
            title: t("review.reason"),
            key: "adjust-reason",
            render: (_: unknown, row: ComparisonRow) => (
              <Form.Item
                name={["adjust", row.indicator, "reason"]}
                dependencies={[["adjust", row.indicator, "points"]]}
                rules={[
                  ({ getFieldValue }) => ({
                    validator: (_rule: unknown, value: string | undefined) =>
                      typeof getFieldValue(["adjust", row.indicator, "points"]) === "number" && !value?.trim()
                        ? Promise.reject(new Error(t("review.reasonRequired")))
                        : Promise.resolve(),
                  }),
                  { max: 2000, message: t("form.tooLong", { n: 2000 }) },
                ]}
                style={{ margin: 0 }}
              >
                <Input aria-label={`${row.name} ${t("review.reason")}`} />
              </Form.Item>
            ),
          },
        ]
      : [
          { title: t("review.adjustedPoints"), dataIndex: "adjusted", width: 100, render: (v: number | null) => v ?? "—" },
          { title: t("review.reason"), dataIndex: "reason", render: (v: string | null) => v ?? "—" },
        ]),
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <AssessmentSummary assessment={assessment} />
      {assessment.note && <Alert type="info" title={t("scores.assessmentNote")} description={assessment.note} />}
      {score.error && <Alert type="warning" showIcon title={t("review.noComputed")} description={score.error} />}
      {problem && <Alert type="error" showIcon title={problem} role="alert" />}
      <Form<Values> form={form} layout="vertical" aria-label={t("review.title")}>
        <Table<ComparisonRow> rowKey="indicator" size="small" pagination={false} dataSource={rows} columns={columns} loading={score.loading} />
        {open && (
          <>
            <Form.Item name="note" label={t("review.note")} style={{ marginTop: 12 }} rules={[{ max: 2000, message: t("form.tooLong", { n: 2000 }) }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Space>
              <Button type="primary" loading={busy === "agree"} disabled={busy !== null} onClick={() => void send("agree")}>
                {t("review.agree")}
              </Button>
              <Button loading={busy === "adjust"} disabled={busy !== null} onClick={() => void send("adjust")}>
                {t("review.adjust")}
              </Button>
              <Typography.Text type="secondary">{t("review.hint")}</Typography.Text>
            </Space>
          </>
        )}
        {!open && assessment.review_note && <Alert type="info" title={t("review.note")} description={assessment.review_note} />}
      </Form>
    </Space>
  );
}
