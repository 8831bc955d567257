import { Alert, Card, Col, Radio, Row, Space, Statistic, Typography } from "antd";
import { useMemo, useState } from "react";
import { useApi } from "../api/client";
import { EChart, LIAONING_CITIES, type ChartOption } from "../charts/EChart";
import type { FiguresRead } from "../api/types";
import { OPEN_STATUSES } from "../alarms/model";
import { useI18n } from "../i18n/LanguageProvider";
import { useLoad } from "../lib/useLoad";

type Figure = "online_rate" | "compliance_rate" | "devices" | "offline_critical";
const FIGURES: Figure[] = ["online_rate", "compliance_rate", "devices", "offline_critical"];
const FIGURE_LABELS = {
  online_rate: "dashboard.onlineRate",
  compliance_rate: "dashboard.complianceRate",
  devices: "dashboard.devices",
  offline_critical: "dashboard.offlineCritical",
} as const;

type Row = FiguresRead["rows"][number];

/** The figures per city (a district's rows added up into its city's), rates recomputed from the counts. */
export function figuresByCity(rows: Row[]): Map<string, Record<Figure, number>> {
  const sums = new Map<string, { devices: number; online: number; offline: number; fault: number; critical: number; evaluated: number; compliant: number }>();
  for (const row of rows) {
    if (!row.key || row.key.length !== 6) continue;
    const city = `${row.key.slice(0, 4)}00`;
    const sum = sums.get(city) ?? { devices: 0, online: 0, offline: 0, fault: 0, critical: 0, evaluated: 0, compliant: 0 };
    sum.devices += row.devices;
    sum.online += row.online;
    sum.offline += row.offline;
    sum.fault += row.fault;
    sum.critical += row.offline_critical;
    sum.evaluated += row.units_evaluated;
    sum.compliant += row.units_compliant;
    sums.set(city, sum);
  }
  const out = new Map<string, Record<Figure, number>>();
  for (const [city, sum] of sums) {
    const reporting = sum.online + sum.offline + sum.fault;
    out.set(city, {
      devices: sum.devices,
      offline_critical: sum.critical,
      online_rate: reporting ? Math.round((sum.online / reporting) * 1000) / 10 : 0,
      compliance_rate: sum.evaluated ? Math.round((sum.compliant / sum.evaluated) * 1000) / 10 : 0,
    });
  }
  return out;
}

const percent = (value: number | null | undefined) => (value == null ? "—" : `${(value * 100).toFixed(1)}%`);

/** Figures of the caller's scope: devices online and compliant (by area, as a chart), open alarms by priority. */
export function DashboardPage() {
  const { t } = useI18n();
  const api = useApi();
  const [figure, setFigure] = useState<Figure>("online_rate");
  const figures = useLoad(() => api.GET("/api/v1/figures/devices", { params: { query: { group_by: "jurisdiction" } } }), [api]);
  const jurisdictions = useLoad(() => api.GET("/api/v1/jurisdictions", { params: { query: { parent: "210000" } } }), [api]);
  const alarms = useLoad(() => api.GET("/api/v1/alarms", { params: { query: { limit: 200 } } }), [api]);

  const names = useMemo(() => {
    const map = new Map<string, string>();
    const walk = (items: { code: string; name: string; children?: unknown[] }[]) => {
      for (const item of items) {
        map.set(item.code, item.name);
        if (Array.isArray(item.children)) walk(item.children as typeof items);
      }
    };
    walk((jurisdictions.data?.items ?? []) as { code: string; name: string; children?: unknown[] }[]);
    return map;
  }, [jurisdictions.data]);

  const openByPriority = useMemo(() => {
    const counts = [0, 0, 0, 0];
    for (const alarm of alarms.data?.items ?? []) {
      if (OPEN_STATUSES.has(alarm.status ?? "")) counts[Math.min(Math.max(alarm.priority, 1), 4) - 1]! += 1;
    }
    return counts;
  }, [alarms.data]);

  const areaOption = useMemo<ChartOption>(() => {
    const rows = figures.data?.rows ?? [];
    const rate = figure === "online_rate" || figure === "compliance_rate";
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 24, bottom: 48 },
      xAxis: { type: "category", data: rows.map((row) => names.get(row.key ?? "") ?? row.key ?? "—"), axisLabel: { rotate: rows.length > 6 ? 30 : 0 } },
      yAxis: rate ? { type: "value", max: 100, axisLabel: { formatter: "{value}%" } } : { type: "value" },
      series: [
        {
          type: "bar",
          name: t(FIGURE_LABELS[figure]),
          data: rows.map((row) => {
            const value = row[figure] ?? 0;
            return rate ? Math.round(Number(value) * 1000) / 10 : value;
          }),
          itemStyle: { color: "#1d4ed8" },
        },
      ],
    };
  }, [figures.data, figure, names, t]);

  const mapOption = useMemo<ChartOption>(() => {
    const byCity = figuresByCity(figures.data?.rows ?? []);
    const rate = figure === "online_rate" || figure === "compliance_rate";
    const values = [...byCity.values()].map((value) => value[figure]);
    return {
      tooltip: { trigger: "item", formatter: (p: { name: string; value: number }) => `${p.name}: ${Number.isFinite(p.value) ? p.value : "—"}${rate && Number.isFinite(p.value) ? "%" : ""}` },
      visualMap: {
        min: rate ? Math.min(80, ...values) : 0,
        max: rate ? 100 : Math.max(1, ...values),
        left: 8,
        bottom: 8,
        text: [t(FIGURE_LABELS[figure]), ""],
        calculable: true,
        inRange: { color: figure === "offline_critical" ? ["#fff7e6", "#cf1322"] : ["#e6f0ff", "#1d4ed8"] },
      },
      series: [
        {
          type: "map",
          map: "liaoning",
          name: t(FIGURE_LABELS[figure]),
          label: { show: true, fontSize: 10 },
          data: LIAONING_CITIES.map((city) => ({ name: city.name, value: byCity.get(city.code)?.[figure] ?? Number.NaN })),
        },
      ],
    };
  }, [figures.data, figure, t]);

  const alarmOption = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: "item" },
      legend: { bottom: 0 },
      series: [
        {
          type: "pie",
          radius: ["40%", "70%"],
          data: openByPriority.map((value, index) => ({
            value,
            name: t(`priority.${index + 1}` as "priority.1"),
            itemStyle: { color: ["#cf1322", "#fa541c", "#faad14", "#8c8c8c"][index] },
          })),
        },
      ],
    }),
    [openByPriority, t],
  );

  const total = figures.data?.total;
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Title level={3}>{t("dashboard.title")}</Typography.Title>
      {figures.error && <Alert type="error" showIcon title={figures.error} />}
      <Row gutter={[16, 16]}>
        <Col xs={12} lg={4}>
          <Card><Statistic title={t("dashboard.units")} value={total?.units ?? 0} loading={figures.loading} /></Card>
        </Col>
        <Col xs={12} lg={4}>
          <Card><Statistic title={t("dashboard.devices")} value={total?.devices ?? 0} loading={figures.loading} /></Card>
        </Col>
        <Col xs={12} lg={4}>
          <Card><Statistic title={t("dashboard.onlineRate")} value={percent(total?.online_rate)} loading={figures.loading} /></Card>
        </Col>
        <Col xs={12} lg={4}>
          <Card><Statistic title={t("dashboard.complianceRate")} value={percent(total?.compliance_rate)} loading={figures.loading} /></Card>
        </Col>
        <Col xs={12} lg={4}>
          <Card><Statistic title={t("dashboard.offlineCritical")} value={total?.offline_critical ?? 0} loading={figures.loading} valueStyle={{ color: "#cf1322" }} /></Card>
        </Col>
        <Col xs={12} lg={4}>
          <Card>
            <Statistic
              title={t("dashboard.openAlarms")}
              value={openByPriority.reduce((a, b) => a + b, 0)}
              suffix={<small>({t("priority.1")} {openByPriority[0]})</small>}
              loading={alarms.loading}
            />
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Card
            title={t("dashboard.byArea")}
            extra={
              <Radio.Group
                aria-label={t("dashboard.figure")}
                size="small"
                value={figure}
                onChange={(e) => setFigure(e.target.value as Figure)}
                options={FIGURES.map((value) => ({ value, label: t(FIGURE_LABELS[value]) }))}
                optionType="button"
              />
            }
          >
            <EChart option={areaOption} label={`${t("dashboard.byArea")}: ${t(FIGURE_LABELS[figure])}`} />
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <Card title={t("dashboard.map")}>
            <EChart option={mapOption} label={`${t("dashboard.map")}: ${t(FIGURE_LABELS[figure])}`} height={360} />
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <Card title={t("dashboard.openAlarms")}>
            <EChart option={alarmOption} label={t("dashboard.openAlarms")} />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
