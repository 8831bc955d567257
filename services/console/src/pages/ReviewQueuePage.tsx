import { Alert, Button, Card, Drawer, Form, Select, Space, Switch, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { problemText, useApi } from "../api/client";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/LanguageProvider";
import type { MessageKey } from "../i18n/messages";
import { can } from "../lib/roles";
import { formatTime } from "../lib/time";
import type { ReviewQueueItem } from "../scores/model";
import { ReviewPanel } from "../scores/ReviewPanel";

const PAGE_SIZE = 50;
const STATES = ["submitted", "agreed", "adjusted"] as const;
type State = (typeof STATES)[number];

/** 评审队列: units' self-assessments awaiting review (overdue first to the eye), each opened to agree or adjust. */
export function ReviewQueuePage() {
  const { t } = useI18n();
  const api = useApi();
  const { roles } = useSession();
  const canReview = can(roles, "reviewAssessment");
  const [params, setParams] = useSearchParams();
  const state = (STATES as readonly string[]).includes(params.get("state") ?? "") ? (params.get("state") as State) : "submitted";
  const overdue = params.get("overdue") === "true";
  const [rows, setRows] = useState<ReviewQueueItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [opened, setOpened] = useState<ReviewQueueItem | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      setError(undefined);
      const { data, error: failure, response } = await api.GET("/api/v1/self-assessments", {
        params: { query: { state, overdue: overdue || undefined, limit: PAGE_SIZE, cursor: after ?? undefined } },
      });
      setLoading(false);
      if (failure !== undefined || !data) {
        setError(problemText(failure) || String(response.status));
        return;
      }
      setRows((previous) => (after ? [...previous, ...data.items] : data.items));
      setCursor(data.next_cursor ?? null);
    },
    [api, state, overdue],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const setFilter = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Title level={3}>{t("review.queue")}</Typography.Title>
      <Card>
        <Form layout="inline" aria-label={t("review.queue")}>
          <Form.Item label={t("scores.state")}>
            <Select<State>
              value={state}
              style={{ width: 140 }}
              onChange={(value) => setFilter("state", value === "submitted" ? null : value)}
              options={STATES.map((value) => ({ value, label: t(`scores.state.${value}` as MessageKey) }))}
            />
          </Form.Item>
          <Form.Item label={t("review.overdueOnly")}>
            <Switch checked={overdue} onChange={(checked) => setFilter("overdue", checked ? "true" : null)} />
          </Form.Item>
          <Form.Item>
            <Button onClick={() => void load(null)}>{t("common.refresh")}</Button>
          </Form.Item>
        </Form>
      </Card>
      {error && <Alert type="error" title={t("common.error")} description={error} showIcon />}
      <Table<ReviewQueueItem>
        rowKey={(row) => row.id ?? ""}
        loading={loading}
        dataSource={rows}
        pagination={false}
        size="middle"
        onRow={(row) => (row.overdue ? { style: { background: "#fff1f0" }, "data-overdue": "true" } : {})}
        columns={[
          {
            title: t("units.name"),
            dataIndex: "unit_name",
            render: (name: string | null, row) => <Link to={`/units/${row.uscc}?tab=score`}>{name ?? row.uscc}</Link>,
          },
          { title: t("units.jurisdiction"), dataIndex: "jurisdiction", width: 100 },
          { title: t("scores.period"), dataIndex: "period", width: 90 },
          { title: t("scores.claimedTotal"), dataIndex: "claimed_total", width: 100 },
          { title: t("scores.computedTotal"), dataIndex: "computed_total", width: 100, render: (v: number | null) => v ?? "—" },
          { title: t("scores.submittedAt"), dataIndex: "submitted_at", width: 170, render: formatTime },
          {
            title: t("review.dueAt"),
            dataIndex: "review_due_at",
            width: 230,
            render: (v: string | null, row) => (
              <Space>
                {formatTime(v)}
                {row.overdue && <Tag color="red">{t("dossier.overdue")}</Tag>}
              </Space>
            ),
          },
          {
            title: t("common.actions"),
            key: "actions",
            width: 100,
            render: (_: unknown, row) => (
              <Button size="small" type={canReview && row.state === "submitted" ? "primary" : "default"} onClick={() => setOpened(row)}>
                {canReview && row.state === "submitted" ? t("review.open") : t("review.view")}
              </Button>
            ),
          },
        ]}
      />
      <Space>
        <span>{t("review.count", { n: rows.length })}</span>
        {cursor && (
          <Button onClick={() => void load(cursor)} loading={loading}>
            {t("common.more")}
          </Button>
        )}
      </Space>
      <Drawer
        open={opened !== null}
        size={960}
        title={opened ? `${t("review.title")} · ${opened.unit_name ?? opened.uscc} · ${opened.period ?? ""}` : ""}
        onClose={() => setOpened(null)}
        destroyOnHidden
      >
        {opened && (
          <ReviewPanel
            key={opened.id}
            assessment={opened}
            canReview={canReview}
            onReviewed={() => {
              setOpened(null);
              void load(null);
            }}
          />
        )}
      </Drawer>
    </Space>
  );
}
