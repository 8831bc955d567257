import { Alert, Badge, Space, Table, Tag, Typography } from "antd";
import { useApi } from "../api/client";
import { useI18n } from "../i18n/LanguageProvider";
import type { MessageKey } from "../i18n/messages";
import { formatTime } from "../lib/time";
import { useLoad } from "../lib/useLoad";
import { byUrgency, formatRate, rateTone, type SubmitterHealth } from "./model";

const BADGE = { healthy: "success", late: "warning", failing: "error" } as const;

/** The registered sector systems in the caller's scope and how their feeds are doing. */
export function SubmitterHealthTable() {
  const { t, label } = useI18n();
  const api = useApi();
  const health = useLoad(() => api.GET("/api/v1/exchange/submitters"), [api]);
  if (health.error) return <Alert type="error" showIcon title={health.error} />;
  const items = [...(health.data?.items ?? [])].sort(byUrgency);
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }}>
      <Typography.Text type="secondary">
        {t("exchange.submitter.threshold", { rate: formatRate(health.data?.failing_rejection_rate) })}
        {health.data ? ` · ${formatTime(health.data.as_of)}` : ""}
      </Typography.Text>
      <Table<SubmitterHealth>
        rowKey="client_id"
        size="small"
        loading={health.loading}
        pagination={false}
        dataSource={items}
        locale={{ emptyText: t("exchange.submitter.none") }}
        scroll={{ x: true }}
        columns={[
          {
            title: t("exchange.submitter.status"),
            dataIndex: "status",
            render: (status: SubmitterHealth["status"]) => (
              <Badge status={BADGE[status]} text={t(`exchange.status.${status}` as MessageKey)} />
            ),
          },
          {
            title: t("exchange.submitter.name"),
            key: "name",
            render: (_: unknown, s) => (
              <Space orientation="vertical" size={0}>
                <span>{s.name ?? s.organisation}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {s.organisation} · {s.client_id}
                </Typography.Text>
              </Space>
            ),
          },
          { title: t("exchange.submitter.sector"), dataIndex: "sector", render: (v: string) => label("sector", v) },
          {
            title: t("exchange.submitter.datasets"),
            dataIndex: "datasets",
            render: (datasets: string[]) => datasets.map((d) => <Tag key={d}>{t(`exchange.ds.${d}` as MessageKey)}</Tag>),
          },
          { title: t("exchange.submitter.last"), dataIndex: "last_batch_at", render: formatTime },
          {
            title: t("exchange.submitter.24h"),
            key: "24h",
            align: "right",
            render: (_: unknown, s) => `${s.batches_24h} / ${s.records_24h}`,
          },
          {
            title: t("exchange.submitter.7d"),
            key: "7d",
            align: "right",
            render: (_: unknown, s) => `${s.batches_7d} / ${s.records_7d}`,
          },
          {
            title: t("exchange.rate.rejection_rate"),
            dataIndex: "rejection_rate",
            align: "right",
            render: (v: number | null) => <Tag color={rateTone("rejection_rate", v)}>{formatRate(v)}</Tag>,
          },
          {
            title: t("exchange.rate.late_rate"),
            dataIndex: "late_rate",
            align: "right",
            render: (v: number | null) => <Tag color={rateTone("late_rate", v)}>{formatRate(v)}</Tag>,
          },
          {
            title: t("exchange.submitter.interval"),
            dataIndex: "expected_interval_hours",
            align: "right",
            render: (h: number) => t("exchange.submitter.hours", { n: h }),
          },
        ]}
      />
    </Space>
  );
}
