import { Alert, Card, Col, Radio, Row, Select, Space, Statistic, Table, Typography } from "antd";
import { useMemo, useState } from "react";
import { useApi, type Api } from "../api/client";
import type { AlarmFiguresRead, FiguresRead, UnitFiguresRead } from "../api/types";
import { useSession } from "../auth/AuthProvider";
import { EChart, LIAONING_CITIES, type ChartOption } from "../charts/EChart";
import { FIGURE_ORDER, FIGURES, figuresBy, figuresByCity, type Figure } from "../dashboard/figures";
import { useI18n } from "../i18n/LanguageProvider";
import { can } from "../lib/roles";
import { useLoad } from "../lib/useLoad";

type Grouping = "jurisdiction" | "sector";

const NOTHING = { data: undefined, error: undefined, response: new Response(null, { status: 204 }) };

/** Device and (when the caller may see them) dossier figures grouped one way; sector rows only when asked. */
function useFigures(api: Api, grouping: Grouping, wanted: boolean, unitFigures: boolean) {
  const devices = useLoad<FiguresRead>(
    () => (wanted ? api.GET("/api/v1/figures/devices", { params: { query: { group_by: grouping } } }) : Promise.resolve(NOTHING)),
    [api, grouping, wanted],
  );
  const units = useLoad<UnitFiguresRead>(
    () =>
      wanted && unitFigures
        ? api.GET("/api/v1/figures/units", { params: { query: { group_by: grouping } } })
        : Promise.resolve(NOTHING),
    [api, grouping, wanted, unitFigures],
  );
  return { devices, units };
}

const TREND_DAYS = 30;
const PRIORITY_COLOURS = ["#cf1322", "#fa541c", "#faad14", "#8c8c8c"];

const percent = (value: number | null | undefined) => (value == null ? "—" : `${(value * 100).toFixed(1)}%`);

/** Figures of the caller's scope: key units, filing, drills and hazards overdue; devices online and compliant;
 *  open alarms by priority; all by jurisdiction or by sector, as a chart, a table and a map of the cities. */
export function DashboardPage() {
  const { t, label } = useI18n();
  const api = useApi();
  const { roles } = useSession();
  const unitFigures = can(roles, "viewUnitFigures");
  const choices = FIGURE_ORDER.filter((figure) => unitFigures || FIGURES[figure].source === "devices");
  const [figure, setFigure] = useState<Figure>(choices[0]!);
  const [grouping, setGrouping] = useState<Grouping>("jurisdiction");
  const byArea = useFigures(api, "jurisdiction", true, unitFigures);
  const bySector = useFigures(api, "sector", grouping === "sector", unitFigures);
  const shown = grouping === "sector" ? bySector : byArea;
  const jurisdictions = useLoad(() => api.GET("/api/v1/jurisdictions", { params: { query: { parent: "210000" } } }), [api]);
  const alarms = useLoad<AlarmFiguresRead>(
    () => api.GET("/api/v1/figures/alarms", { params: { query: { days: TREND_DAYS } } }),
    [api],
  );

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
  const groupName = (key: string) => (grouping === "sector" ? label("sector", key) : (names.get(key) ?? key));

  const openByPriority = useMemo(() => {
    const counts = [0, 0, 0, 0];
    for (const { priority, count } of alarms.data?.open_by_priority ?? []) {
      counts[Math.min(Math.max(priority, 1), 4) - 1]! += count;
    }
    return counts;
  }, [alarms.data]);

  const trendOption = useMemo<ChartOption>(() => {
    const days = alarms.data?.days ?? [];
    const ofPriority = (day: (typeof days)[number], priority: number) =>
      day.by_priority.find((c) => c.priority === priority)?.count ?? 0;
    return {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 48, right: 56, top: 24, bottom: 56 },
      xAxis: { type: "category", data: days.map((day) => day.day.slice(5)) },
      yAxis: [
        { type: "value", name: t("dashboard.alarmsRaised"), minInterval: 1 },
        { type: "value", name: t("dashboard.ackSeconds"), splitLine: { show: false } },
      ],
      series: [
        ...[1, 2, 3, 4].map((priority) => ({
          type: "bar",
          stack: "raised",
          name: t(`priority.${priority}` as "priority.1"),
          data: days.map((day) => ofPriority(day, priority)),
          itemStyle: { color: PRIORITY_COLOURS[priority - 1] },
        })),
        {
          type: "line",
          yAxisIndex: 1,
          name: t("dashboard.ackMedian"),
          data: days.map((day) => (day.median_acknowledge_seconds > 0 ? Math.round(day.median_acknowledge_seconds) : null)),
          connectNulls: true,
          itemStyle: { color: "#1d4ed8" },
        },
      ],
    };
  }, [alarms.data, t]);

  const groups = useMemo(
    () => figuresBy(shown.devices.data?.rows ?? [], shown.units.data?.rows ?? []),
    [shown.devices.data, shown.units.data],
  );
  const definition = FIGURES[figure];
  const figureLabel = t(definition.label);
  const groupingLabel = t(grouping === "sector" ? "dashboard.bySector" : "dashboard.byArea");

  const groupOption = useMemo<ChartOption>(() => {
    const keys = [...groups.keys()];
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 24, bottom: 48 },
      xAxis: { type: "category", data: keys.map(groupName), axisLabel: { rotate: keys.length > 6 ? 30 : 0 } },
      yAxis: definition.rate ? { type: "value", max: 100, axisLabel: { formatter: "{value}%" } } : { type: "value" },
      series: [
        {
          type: "bar",
          name: figureLabel,
          data: keys.map((key) => groups.get(key)?.[figure] ?? 0),
          itemStyle: { color: definition.alarming ? "#cf1322" : "#1d4ed8" },
        },
      ],
    };
    // groupName follows names, grouping and the language (label)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [groups, figure, figureLabel, names, grouping, label]);

  const mapOption = useMemo<ChartOption>(() => {
    const byCity = figuresByCity(byArea.devices.data?.rows ?? [], byArea.units.data?.rows ?? []);
    const values = [...byCity.values()].map((value) => value[figure]);
    const { rate, alarming } = definition;
    return {
      tooltip: {
        trigger: "item",
        formatter: (p: { name: string; value: number }) =>
          `${p.name}: ${Number.isFinite(p.value) ? p.value : "—"}${rate && Number.isFinite(p.value) ? "%" : ""}`,
      },
      visualMap: {
        min: rate ? Math.min(50, ...values) : 0,
        max: rate ? 100 : Math.max(1, ...values),
        left: 8,
        bottom: 8,
        text: [figureLabel, ""],
        calculable: true,
        inRange: { color: alarming ? ["#fff7e6", "#cf1322"] : ["#e6f0ff", "#1d4ed8"] },
      },
      series: [
        {
          type: "map",
          map: "liaoning",
          name: figureLabel,
          label: { show: true, fontSize: 10 },
          data: LIAONING_CITIES.map((city) => ({ name: city.name, value: byCity.get(city.code)?.[figure] ?? Number.NaN })),
        },
      ],
    };
  }, [byArea.devices.data, byArea.units.data, figure, figureLabel, definition]);

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
            itemStyle: { color: PRIORITY_COLOURS[index] },
          })),
        },
      ],
    }),
    [openByPriority, t],
  );

  const devices = byArea.devices.data?.total;
  const units = byArea.units.data?.total;
  const loadingDevices = byArea.devices.loading;
  const loadingUnits = unitFigures && byArea.units.loading;
  const error = byArea.devices.error ?? byArea.units.error ?? shown.devices.error ?? shown.units.error;
  const cards: { key: string; title: string; value: number | string; loading: boolean; alarming?: boolean }[] = [
    { key: "units", title: t("dashboard.units"), value: units?.units ?? devices?.units ?? 0, loading: loadingDevices },
    ...(unitFigures
      ? [
          { key: "key_units", title: t("dashboard.keyUnitCount"), value: units?.key_units ?? 0, loading: loadingUnits },
          { key: "filing_rate", title: t("dashboard.filingRate"), value: percent(units?.filing_rate), loading: loadingUnits },
          { key: "drills_overdue", title: t("dashboard.drillsOverdue"), value: units?.drills_overdue ?? 0, loading: loadingUnits, alarming: true },
          { key: "hazards_overdue", title: t("dashboard.hazardsOverdue"), value: units?.hazards_overdue ?? 0, loading: loadingUnits, alarming: true },
        ]
      : []),
    { key: "devices", title: t("dashboard.devices"), value: devices?.devices ?? 0, loading: loadingDevices },
    { key: "online_rate", title: t("dashboard.onlineRate"), value: percent(devices?.online_rate), loading: loadingDevices },
    { key: "compliance_rate", title: t("dashboard.complianceRate"), value: percent(devices?.compliance_rate), loading: loadingDevices },
    { key: "offline_critical", title: t("dashboard.offlineCritical"), value: devices?.offline_critical ?? 0, loading: loadingDevices, alarming: true },
  ];

  const tableRows = [...groups].map(([key, value]) => ({ key, name: groupName(key), ...value }));
  const cell = (f: Figure) => (value: number) => (FIGURES[f].rate ? `${value.toFixed(1)}%` : value);

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Title level={3}>{t("dashboard.title")}</Typography.Title>
      {error && <Alert type="error" showIcon title={error} />}
      <Row gutter={[16, 16]}>
        {cards.map((card) => (
          <Col xs={12} md={8} lg={6} xl={4} key={card.key}>
            <Card>
              <Statistic
                title={card.title}
                value={card.value}
                loading={card.loading}
                styles={card.alarming ? { content: { color: "#cf1322" } } : undefined}
              />
            </Card>
          </Col>
        ))}
        <Col xs={12} md={8} lg={6} xl={4}>
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
      <Card>
        <Space wrap size="large">
          <label htmlFor="dashboard-figure">{t("dashboard.figure")}</label>
          <Select<Figure>
            id="dashboard-figure"
            style={{ minWidth: 180 }}
            value={figure}
            onChange={setFigure}
            options={choices.map((value) => ({ value, label: t(FIGURES[value].label) }))}
          />
          <Radio.Group
            aria-label={t("dashboard.grouping")}
            value={grouping}
            onChange={(e) => setGrouping(e.target.value as Grouping)}
            options={[
              { value: "jurisdiction", label: t("dashboard.byArea") },
              { value: "sector", label: t("dashboard.bySector") },
            ]}
            optionType="button"
          />
        </Space>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Card title={`${groupingLabel}: ${figureLabel}`}>
            <EChart option={groupOption} label={`${groupingLabel}: ${figureLabel}`} />
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <Card title={t("dashboard.map")}>
            <EChart option={mapOption} label={`${t("dashboard.map")}: ${figureLabel}`} height={360} />
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={t("dashboard.table", { grouping: groupingLabel })}>
            <Table
              size="small"
              rowKey="key"
              pagination={false}
              loading={shown.devices.loading || (unitFigures && shown.units.loading)}
              dataSource={tableRows}
              scroll={{ x: true }}
              columns={[
                { title: grouping === "sector" ? t("units.sector") : t("dashboard.area"), dataIndex: "name", fixed: "left" },
                ...choices.map((f) => ({ title: t(FIGURES[f].label), dataIndex: f, align: "right" as const, render: cell(f) })),
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={15}>
          <Card title={t("dashboard.alarmTrend", { days: TREND_DAYS })}>
            <EChart option={trendOption} label={t("dashboard.alarmTrend", { days: TREND_DAYS })} />
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
