import { Alert, Button, Card, Form, Input, Select, Space, Table, Tag, TreeSelect, Typography } from "antd";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { problemText, useApi } from "../api/client";
import type { paths } from "../api/schema";
import type { UnitRead } from "../api/types";

type Sector = NonNullable<NonNullable<paths["/api/v1/units"]["get"]["parameters"]["query"]>["sector"]>;
import { useI18n } from "../i18n/LanguageProvider";
import { useLoad } from "../lib/useLoad";

const SECTORS: Sector[] = ["postal", "transport", "commerce", "housing", "banking", "securities", "sasac", "culture_tourism", "health", "education"];
const PAGE_SIZE = 20;
const USCC = /^[0-9A-Za-z]{18}$/;

interface Filters {
  q?: string;
  jurisdiction?: string;
  sector?: Sector;
  key_unit?: "true" | "false";
}

function filtersFrom(params: URLSearchParams): Filters {
  const keyUnit = params.get("key_unit");
  return {
    q: params.get("q") || undefined,
    jurisdiction: params.get("jurisdiction") || undefined,
    sector: (params.get("sector") || undefined) as Sector | undefined,
    key_unit: keyUnit === "true" || keyUnit === "false" ? keyUnit : undefined,
  };
}

/** Units in the caller's scope: search by name or code, filters (kept in the URL), a page at a time. */
export function UnitsPage() {
  const { t, label } = useI18n();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const [form] = Form.useForm<Filters>();
  const [rows, setRows] = useState<UnitRead[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const key = params.toString();
  const jurisdictions = useLoad(() => api.GET("/api/v1/jurisdictions", { params: { query: { parent: "210000" } } }), [api]);
  const divisions = useMemo(() => {
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

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      setError(undefined);
      const { data, error: failure } = await api.GET("/api/v1/units", {
        params: {
          query: {
            // A credit code typed into the search box looks the unit up by code; anything else searches names.
            q: filters.q && !USCC.test(filters.q) ? filters.q : undefined,
            uscc: filters.q && USCC.test(filters.q) ? filters.q.toUpperCase() : undefined,
            jurisdiction: filters.jurisdiction,
            sector: filters.sector,
            key_unit: filters.key_unit === undefined ? undefined : filters.key_unit === "true",
            limit: PAGE_SIZE,
            cursor: after ?? undefined,
          },
        },
      });
      setLoading(false);
      if (failure || !data) {
        setError(problemText(failure));
        return;
      }
      setRows((previous) => (after ? [...previous, ...data.items] : data.items));
      setCursor(data.next_cursor ?? null);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );

  useEffect(() => {
    form.setFieldsValue(filters);
    void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load]);

  const search = (values: Filters) => {
    const next = new URLSearchParams();
    for (const [name, value] of Object.entries(values)) if (value) next.set(name, String(value).trim());
    setParams(next);
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Title level={3}>{t("units.title")}</Typography.Title>
      <Card>
        <Form form={form} layout="inline" onFinish={search} aria-label={t("units.title")}>
          <Form.Item name="q" label={t("units.q")}>
            <Input allowClear style={{ width: 260 }} />
          </Form.Item>
          <Form.Item name="jurisdiction" label={t("units.jurisdiction")}>
            <TreeSelect
              allowClear
              showSearch
              treeNodeFilterProp="title"
              style={{ width: 200 }}
              treeData={divisions}
              placeholder="210102"
            />
          </Form.Item>
          <Form.Item name="sector" label={t("units.sector")}>
            <Select
              allowClear
              style={{ width: 140 }}
              options={SECTORS.map((value) => ({ value, label: label("sector", value) }))}
            />
          </Form.Item>
          <Form.Item name="key_unit" label={t("units.keyUnit")}>
            <Select
              allowClear
              style={{ width: 100 }}
              options={[
                { value: "true", label: t("common.yes") },
                { value: "false", label: t("common.no") },
              ]}
            />
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
      <Table<UnitRead>
        rowKey="uscc"
        loading={loading}
        dataSource={rows}
        pagination={false}
        size="middle"
        columns={[
          {
            title: t("units.name"),
            dataIndex: "name",
            render: (name: string, unit) => <Link to={`/units/${unit.uscc}`}>{name}</Link>,
          },
          { title: t("units.uscc"), dataIndex: "uscc", render: (v: string) => <code>{v}</code> },
          { title: t("units.jurisdiction"), dataIndex: "jurisdiction_name" },
          { title: t("units.sector"), dataIndex: "sector", render: (v: string | null) => label("sector", v) },
          {
            title: t("units.keyUnit"),
            dataIndex: "key_unit",
            render: (v: boolean) => (v ? <Tag color="red">{t("units.keyUnit")}</Tag> : t("common.no")),
          },
          {
            title: t("units.flags"),
            key: "flags",
            render: (_: unknown, unit) => (
              <Space size={4} wrap>
                {(["filing_overdue", "drills_overdue", "hazards_overdue"] as const)
                  .filter((flag) => unit[flag])
                  .map((flag) => (
                    <Tag key={flag} color="orange">
                      {t(`flags.${flag}`)}
                    </Tag>
                  ))}
              </Space>
            ),
          },
          { title: t("units.address"), dataIndex: "address", ellipsis: true },
        ]}
      />
      <Space>
        <span>{t("units.count", { n: rows.length })}</span>
        {cursor && (
          <Button onClick={() => void load(cursor)} loading={loading}>
            {t("common.more")}
          </Button>
        )}
      </Space>
    </Space>
  );
}
