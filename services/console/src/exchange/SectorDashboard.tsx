import { Alert, Card, Col, Empty, Progress, Row, Segmented, Space, Statistic, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useApi } from "../api/client";
import type { AlarmRead } from "../api/types";
import { useI18n } from "../i18n/LanguageProvider";
import type { MessageKey } from "../i18n/messages";
import { formatTime } from "../lib/time";
import { useLoad } from "../lib/useLoad";
import {
  datasetKey, earlyWarnings, formatRate, rateTone, RULES, volumesByDay, warningTotal,
  type DatasetInfo, type ExchangeFigures, type RateName,
} from "./model";

const formatCount = (n: number) => n.toLocaleString("zh-CN");

const TONE_COLOR = { success: "#389e0d", warning: "#d48806", error: "#cf1322", default: undefined } as const;

function RateCard({ name, rate }: { name: RateName; rate: number | null | undefined }) {
  const { t } = useI18n();
  const tone = rateTone(name, rate);
  return (
    <Card size="small" data-testid={`rate-${name}`}>
      <Statistic title={t(`exchange.rate.${name}` as MessageKey)} value={formatRate(rate)} styles={{ content: { color: TONE_COLOR[tone] } }} />
    </Card>
  );
}

/** One dataset's figures over the last 7 receipt days: volumes by day, compliance, rejections, warnings. */
function DatasetFigures({ info }: { info: DatasetInfo }) {
  const { t, label } = useI18n();
  const api = useApi();
  const path = { sector: info.sector, dataset: info.dataset };
  const byDay = useLoad(
    () => api.GET("/api/v1/exchange/{sector}/{dataset}/figures", { params: { path, query: { group_by: "day" } } }),
    [api, info.sector, info.dataset],
  );
  const bySector = useLoad(
    () => api.GET("/api/v1/exchange/{sector}/{dataset}/figures", { params: { path, query: { group_by: "sector" } } }),
    [api, info.sector, info.dataset],
  );
  const bySubmitter = useLoad(
    () => api.GET("/api/v1/exchange/{sector}/{dataset}/figures", { params: { path, query: { group_by: "submitter" } } }),
    [api, info.sector, info.dataset],
  );
  const alarms = useLoad(
    () => api.GET("/api/v1/alarms", { params: { query: { kind: "early_warning", limit: 200 } } }),
    [api],
  );
  const error = byDay.error ?? bySector.error ?? bySubmitter.error;
  if (error) return <Alert type="error" showIcon title={error} />;
  const whole = bySector.data?.items[0];
  const volumes = byDay.data ? volumesByDay(byDay.data) : [];
  const peak = Math.max(1, ...volumes.map((v) => v.received + v.rejected));
  const ruleLabel = (rule: string) => (RULES.includes(rule) ? t(`exchange.rule.${rule}` as MessageKey) : rule);
  const warnings = earlyWarnings<AlarmRead>(alarms.data?.items ?? [], info.sector);
  const rates: RateName[] = [...info.compliance, "rejection_rate", "late_rate"];
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} data-testid={`dataset-${datasetKey(info)}`}>
      <Typography.Text type="secondary">
        {t("exchange.period")}: {byDay.data ? `${byDay.data.since} — ${byDay.data.until}` : "…"}
      </Typography.Text>
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6} xl={4}>
          <Card size="small" loading={bySector.loading}>
            <Statistic title={t("exchange.received")} value={whole?.received ?? 0} />
          </Card>
        </Col>
        <Col xs={12} md={6} xl={4}>
          <Card size="small" loading={bySector.loading}>
            <Statistic title={t("exchange.rejected")} value={whole?.rejected ?? 0} />
          </Card>
        </Col>
        {rates.map((name) => (
          <Col key={name} xs={12} md={6} xl={4}>
            <RateCard name={name} rate={whole?.[name]} />
          </Col>
        ))}
      </Row>
      {info.compliance.length === 3 && (
        <Typography.Text type="secondary">{t("exchange.threeHundredHint")}</Typography.Text>
      )}
      <Card size="small" title={t("exchange.volumes")} loading={byDay.loading}>
        <Table
          rowKey="day"
          size="small"
          pagination={false}
          dataSource={volumes}
          columns={[
            { title: t("exchange.day"), dataIndex: "day", width: 120 },
            { title: t("exchange.received"), dataIndex: "received", width: 110, align: "right", render: formatCount },
            { title: t("exchange.rejected"), dataIndex: "rejected", width: 110, align: "right", render: formatCount },
            {
              title: "",
              key: "bar",
              render: (_: unknown, v) => (
                <Progress
                  percent={Math.round(((v.received + v.rejected) / peak) * 100)}
                  success={{ percent: Math.round((v.received / peak) * 100) }}
                  showInfo={false}
                  size="small"
                  aria-label={`${v.day} ${v.received}/${v.rejected}`}
                />
              ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={t("exchange.bySubmitter")} loading={bySubmitter.loading}>
        <Table<ExchangeFigures>
          rowKey={(row) => row.organisation ?? ""}
          size="small"
          pagination={false}
          dataSource={bySubmitter.data?.items ?? []}
          locale={{ emptyText: <Empty description={t("exchange.noData")} /> }}
          columns={[
            { title: t("exchange.organisation"), dataIndex: "organisation" },
            { title: t("exchange.received"), dataIndex: "received", align: "right", render: formatCount },
            { title: t("exchange.rejected"), dataIndex: "rejected", align: "right", render: formatCount },
            ...rates.map((name) => ({
              title: t(`exchange.rate.${name}` as MessageKey),
              key: name,
              align: "right" as const,
              render: (_: unknown, row: ExchangeFigures) => (
                <Tag color={rateTone(name, row[name])}>{formatRate(row[name])}</Tag>
              ),
            })),
          ]}
        />
      </Card>
      <Card size="small" title={t("exchange.warnings")} loading={bySector.loading || alarms.loading}>
        <Space size={[8, 8]} wrap style={{ marginBottom: 12 }} data-testid="exchange-warning-counts">
          <Typography.Text>{t("exchange.warningsRaised", { n: warningTotal(bySector.data?.warnings ?? []) })}</Typography.Text>
          {(bySector.data?.warnings ?? []).map((w) => (
            <Tag key={w.rule_id} color="volcano" title={formatTime(w.last_raised_at)}>
              {ruleLabel(w.rule_id)} × {w.count}
            </Tag>
          ))}
        </Space>
        {alarms.error ? (
          <Alert type="warning" title={alarms.error} />
        ) : (
          <Table<AlarmRead>
            rowKey="id"
            size="small"
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            dataSource={warnings}
            locale={{ emptyText: <Empty description={t("exchange.noWarnings")} /> }}
            columns={[
              { title: t("exchange.receivedAt"), dataIndex: "received_at", render: formatTime, width: 180 },
              { title: t("exchange.warning"), dataIndex: "description" },
              { title: t("exchange.jurisdiction"), dataIndex: "jurisdiction", width: 110 },
              { title: t("exchange.warningStatus"), dataIndex: "status", width: 110, render: (v: string) => label("alarm_status", v) },
            ]}
          />
        )}
      </Card>
    </Space>
  );
}

/** The sector dashboards: one dataset at a time among those the caller watches. */
export function SectorDashboard({ datasets }: { datasets: DatasetInfo[] }) {
  const { t } = useI18n();
  const [chosen, setChosen] = useState<string>();
  if (datasets.length === 0) return <Empty description={t("exchange.noDatasets")} />;
  const info = datasets.find((d) => datasetKey(d) === chosen) ?? datasets[0];
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Segmented
        value={datasetKey(info)}
        onChange={(value) => setChosen(String(value))}
        options={datasets.map((d) => ({ value: datasetKey(d), label: t(`exchange.ds.${datasetKey(d)}` as MessageKey) }))}
      />
      <DatasetFigures key={datasetKey(info)} info={info} />
    </Space>
  );
}
