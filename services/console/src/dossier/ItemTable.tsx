import { Alert, Card, Empty, Space, Table, type TableColumnsType } from "antd";
import type { ReactNode } from "react";
import { useI18n } from "../i18n/LanguageProvider";
import type { Loaded } from "../lib/useLoad";

/** Shows a loading state, an error, or what `children` makes of the answer. */
export function Loading<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  const { t } = useI18n();
  if (loaded.error) return <Alert type="error" showIcon title={t("common.error")} description={loaded.error} />;
  if (loaded.loading && !loaded.data) return <Card loading />;
  return loaded.data ? <>{children(loaded.data)}</> : <Empty />;
}

/**
 * A dossier part as a table: the list's items, the caller's tools (add, record...) above it and the actions
 * on each item in a last column; in a titled card when `title` is given.
 */
export function ItemTable<T extends { id: string }>({
  title,
  loaded,
  columns,
  toolbar,
  rowActions,
  pageSize,
}: {
  title?: string;
  loaded: Loaded<{ items: T[] }>;
  columns: TableColumnsType<T>;
  toolbar?: ReactNode;
  rowActions?: (item: T) => ReactNode;
  pageSize?: number;
}) {
  const { t } = useI18n();
  const all = rowActions
    ? [...columns, { title: t("common.actions"), key: "actions", render: (_: unknown, item: T) => <Space>{rowActions(item)}</Space> }]
    : columns;
  const table = (
    <Loading loaded={loaded}>
      {(list) => (
        <Table<T>
          rowKey="id"
          size="small"
          pagination={pageSize ? { pageSize } : false}
          dataSource={list.items}
          columns={all}
          scroll={{ x: true }}
        />
      )}
    </Loading>
  );
  if (title) {
    return (
      <Card size="small" title={title} extra={toolbar}>
        {table}
      </Card>
    );
  }
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      {toolbar && <Space>{toolbar}</Space>}
      {table}
    </Space>
  );
}
