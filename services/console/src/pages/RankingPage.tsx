import { ArrowDownOutlined, ArrowUpOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Col, DatePicker, Empty, Form, List, Row, Select, Space, Table, TreeSelect, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { problemText, useApi } from "../api/client";
import type { components } from "../api/schema";
import { useI18n } from "../i18n/LanguageProvider";
import { useLoad } from "../lib/useLoad";
import { GradeTag } from "../scores/GradeTag";
import { signed, type Mover, type RankingEntryRead } from "../scores/model";

type Sector = components["schemas"]["Sector"];
const SECTORS: Sector[] = ["postal", "transport", "commerce", "housing", "banking", "securities", "sasac", "culture_tourism", "health", "education"];
const PAGE_SIZE = 50;
const MOVERS = 5;

interface Filters {
  jurisdiction?: string;
  sector?: Sector;
  period?: string;
}

interface FormValues {
  jurisdiction?: string;
  sector?: Sector;
  period?: Dayjs;
}

function filtersFrom(params: URLSearchParams): Filters {
  return {
    jurisdiction: params.get("jurisdiction") || undefined,
    sector: (params.get("sector") || undefined) as Sector | undefined,
    period: params.get("period") || undefined,
  };
}

/** The divisions under Liaoning as a tree for the jurisdiction filter. */
function useDivisions() {
  const api = useApi();
  const jurisdictions = useLoad(() => api.GET("/api/v1/jurisdictions", { params: { query: { parent: "210000" } } }), [api]);
  return useMemo(() => {
    interface Division {
      code: string;
      name: string;
      children?: Division[];
    }
    interface Node {
      value: string;
      title: string;
      children: Node[];
    }
    const tree = (items: Division[]): Node[] =>
      items.map((item) => ({ value: item.code, title: `${item.name} ${item.code}`, children: tree(item.children ?? []) }));
    return tree((jurisdictions.data?.items ?? []) as Division[]);
  }, [jurisdictions.data]);
}

function MoverList({ title, movers, up }: { title: string; movers: Mover[] | undefined; up: boolean }) {
  const { t } = useI18n();
  return (
    <Card size="small" title={title} data-testid={up ? "movers-up" : "movers-down"}>
      {movers && movers.length ? (
        <List
          size="small"
          dataSource={movers}
          renderItem={(mover) => (
            <List.Item>
              <Space wrap>
                <Typography.Text type={up ? "success" : "danger"}>
                  {up ? <ArrowUpOutlined /> : <ArrowDownOutlined />} {signed(mover.delta)}
                </Typography.Text>
                <Link to={`/units/${mover.uscc}?tab=score`}>{mover.name ?? mover.uscc}</Link>
                <span>
                  {mover.previous_total ?? "—"} → {mover.total}
                </span>
                {mover.previous_grade !== mover.grade && (
                  <span>
                    <GradeTag grade={mover.previous_grade} /> → <GradeTag grade={mover.grade} />
                  </span>
                )}
              </Space>
            </List.Item>
          )}
        />
      ) : (
        <Empty description={t("ranking.noMovers")} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      )}
    </Card>
  );
}

/** 平安单位排名: units of the caller's scope by total for a period (filters kept in the URL), and the movers. */
export function RankingPage() {
  const { t, label } = useI18n();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const key = params.toString();
  const [form] = Form.useForm<FormValues>();
  const divisions = useDivisions();
  const [rows, setRows] = useState<RankingEntryRead[]>([]);
  const [period, setPeriod] = useState<string | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const movers = useLoad(
    () => api.GET("/api/v1/rankings/movers", { params: { query: { ...filters, limit: MOVERS } } }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      setError(undefined);
      const { data, error: failure } = await api.GET("/api/v1/rankings", {
        params: { query: { ...filters, limit: PAGE_SIZE, cursor: after ?? undefined } },
      });
      setLoading(false);
      if (failure || !data) {
        setError(problemText(failure));
        return;
      }
      setRows((previous) => (after ? [...previous, ...data.items] : data.items));
      setPeriod(data.period ?? null);
      setCursor(data.next_cursor ?? null);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );

  useEffect(() => {
    form.setFieldsValue({ ...filters, period: filters.period ? dayjs(`${filters.period}-01`) : undefined });
    void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load]);

  const search = (values: FormValues) => {
    const next = new URLSearchParams();
    if (values.jurisdiction) next.set("jurisdiction", values.jurisdiction);
    if (values.sector) next.set("sector", values.sector);
    if (values.period) next.set("period", values.period.format("YYYY-MM"));
    setParams(next);
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Title level={3}>{t("ranking.title")}</Typography.Title>
      <Card>
        <Form form={form} layout="inline" onFinish={search} aria-label={t("ranking.title")}>
          <Form.Item name="jurisdiction" label={t("units.jurisdiction")}>
            <TreeSelect allowClear showSearch treeNodeFilterProp="title" style={{ width: 200 }} treeData={divisions} placeholder="210102" />
          </Form.Item>
          <Form.Item name="sector" label={t("units.sector")}>
            <Select allowClear style={{ width: 140 }} options={SECTORS.map((value) => ({ value, label: label("sector", value) }))} />
          </Form.Item>
          <Form.Item name="period" label={t("scores.period")}>
            <DatePicker picker="month" format="YYYY-MM" />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                {t("common.search")}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  setParams(new URLSearchParams());
                }}
              >
                {t("common.reset")}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      {error && <Alert type="error" title={t("common.error")} description={error} showIcon />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card size="small" title={period ? t("ranking.ofPeriod", { period }) : t("ranking.title")}>
            <Table<RankingEntryRead>
              rowKey={(row) => row.uscc ?? String(row.rank)}
              loading={loading}
              dataSource={rows}
              pagination={false}
              size="small"
              columns={[
                { title: t("ranking.rank"), dataIndex: "rank", width: 70 },
                {
                  title: t("units.name"),
                  dataIndex: "unit_name",
                  render: (name: string | null, row) => <Link to={`/units/${row.uscc}?tab=score`}>{name ?? row.uscc}</Link>,
                },
                { title: t("units.jurisdiction"), dataIndex: "jurisdiction", width: 100 },
                { title: t("units.sector"), dataIndex: "sector", width: 100, render: (v: string | null) => label("sector", v) },
                { title: t("scores.total"), dataIndex: "total", width: 90 },
                { title: t("scores.gradeLabel"), dataIndex: "grade", width: 90, render: (v: RankingEntryRead["grade"]) => <GradeTag grade={v} /> },
                { title: t("ranking.change"), dataIndex: "change", width: 90, render: (v: number | null) => signed(v) },
              ]}
            />
            <Space style={{ marginTop: 12 }}>
              <span>{t("units.count", { n: rows.length })}</span>
              {cursor && (
                <Button onClick={() => void load(cursor)} loading={loading}>
                  {t("common.more")}
                </Button>
              )}
            </Space>
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
            {movers.error && <Alert type="warning" showIcon title={t("ranking.moversUnavailable")} description={movers.error} />}
            <MoverList title={t("ranking.up")} movers={movers.data?.up} up />
            <MoverList title={t("ranking.down")} movers={movers.data?.down} up={false} />
          </Space>
        </Col>
      </Row>
    </Space>
  );
}
