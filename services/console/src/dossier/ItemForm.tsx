import { Alert, App, DatePicker, Form, Input, InputNumber, Modal, Select, Switch } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect, useId, useState } from "react";
import { useI18n } from "../i18n/LanguageProvider";
import { ZONE } from "../lib/time";
import type { MessageKey } from "../i18n/messages";
import { formProblems } from "./problems";

/** One control of an item's form: how it is shown and the rules checked before sending. */
export interface FieldSpec {
  name: string;
  label: MessageKey;
  kind?: "text" | "textarea" | "number" | "date" | "datetime" | "select" | "tags" | "switch" | "lines";
  required?: boolean;
  /** Longest text, or highest number. */
  max?: number;
  min?: number;
  options?: { value: string; label: string }[];
}

type Values = Record<string, unknown>;

/** The form's values of an item as the API gives it (dates as dayjs, lists as lines where asked). */
export function formValues(fields: readonly FieldSpec[], item: Values | undefined): Values {
  const values: Values = {};
  for (const field of fields) {
    const value = item?.[field.name];
    if (field.kind === "date") values[field.name] = typeof value === "string" && value ? dayjs(value) : undefined;
    else if (field.kind === "datetime")
      values[field.name] = typeof value === "string" && value ? dayjs(dayjs(value).tz(ZONE).format("YYYY-MM-DD HH:mm:ss")) : undefined;
    else if (field.kind === "lines") values[field.name] = Array.isArray(value) ? value.join("\n") : (value ?? "");
    else values[field.name] = value ?? undefined;
  }
  return values;
}

/** The request body of the form's values: dates as YYYY-MM-DD, lines as a list, blank texts as "". */
export function bodyOf(fields: readonly FieldSpec[], values: Values): Values {
  const body: Values = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === "date") body[field.name] = value ? (value as Dayjs).format("YYYY-MM-DD") : null;
    // The wall time picked is Liaoning's (Asia/Shanghai), whatever the browser's zone.
    else if (field.kind === "datetime")
      body[field.name] = value ? dayjs.tz((value as Dayjs).format("YYYY-MM-DD HH:mm:ss"), ZONE).format() : null;
    else if (field.kind === "lines")
      body[field.name] = String(value ?? "")
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean);
    else if (field.kind === "switch") body[field.name] = Boolean(value);
    else if (field.kind === "number") body[field.name] = value ?? 0;
    else if (field.kind === "tags") body[field.name] = value ?? [];
    else body[field.name] = value ?? (field.kind === "select" ? undefined : "");
  }
  return body;
}

/** The control of a field; Form.Item gives it `value` and `onChange` (or `checked`), passed on as they come. */
function Control({ field, id, ...control }: { field: FieldSpec; id: string; [prop: string]: unknown }) {
  switch (field.kind) {
    case "textarea":
    case "lines":
      return <Input.TextArea id={id} rows={3} maxLength={field.max} {...control} />;
    case "number":
      return <InputNumber id={id} min={field.min ?? 0} max={field.max} precision={0} style={{ width: "100%" }} {...control} />;
    case "date":
      return <DatePicker id={id} style={{ width: "100%" }} format="YYYY-MM-DD" {...control} />;
    case "datetime":
      return <DatePicker id={id} style={{ width: "100%" }} showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" {...control} />;
    case "select":
      return <Select id={id} options={field.options} allowClear={!field.required} {...control} />;
    case "tags":
      return <Select id={id} mode="multiple" options={field.options} {...control} />;
    case "switch":
      return <Switch id={id} {...control} />;
    default:
      return <Input id={id} maxLength={field.max} {...control} />;
  }
}

interface ItemFormProps {
  title: string;
  open: boolean;
  fields: readonly FieldSpec[];
  item?: Values;
  submit: (body: Values) => Promise<{ error?: unknown }>;
  onClose: () => void;
  onDone: () => void;
  okText?: string;
  /** A refusal to show on the fields when the dialog opens (e.g. of a submission the form's values fail). */
  problem?: unknown;
}

/** The form itself: a fresh store each time the dialog opens (keyed by the caller), so no value lingers. */
function ItemFormBody({
  formId,
  fields,
  item,
  submit,
  onBusy,
  onSaved,
  problem: given,
}: Pick<ItemFormProps, "fields" | "item" | "submit" | "problem"> & { formId: string; onBusy: (busy: boolean) => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState("");
  const show = (error: unknown) => {
    const found = formProblems(error, fields.map((field) => field.name));
    form.setFields(found.fields);
    setProblem(found.message || (found.fields.length ? "" : t("common.error")));
  };
  useEffect(() => {
    if (given !== undefined) show(given);
    // once, for the refusal the dialog opened with
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const finish = async (values: Values) => {
    onBusy(true);
    setProblem("");
    try {
      const { error } = await submit(bodyOf(fields, values));
      if (error !== undefined) {
        show(error);
        return;
      }
    } catch (e) {
      setProblem(String(e));
      return;
    } finally {
      onBusy(false);
    }
    onSaved();
  };
  return (
    <>
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 12 }} role="alert" />}
      <Form id={formId} form={form} layout="vertical" initialValues={formValues(fields, item)} onFinish={(values) => void finish(values)}>
        {fields.map((field) => {
          const id = `${formId}-${field.name}`;
          const rules = [
            ...(field.required ? [{ required: true, message: t("form.required") }] : []),
            ...(field.max && (field.kind ?? "text") === "text" ? [{ max: field.max, message: t("form.tooLong", { n: field.max }) }] : []),
          ];
          return (
            <Form.Item
              key={field.name}
              name={field.name}
              label={t(field.label)}
              htmlFor={id}
              rules={rules}
              valuePropName={field.kind === "switch" ? "checked" : "value"}
            >
              <Control field={field} id={id} />
            </Form.Item>
          );
        })}
      </Form>
    </>
  );
}

/**
 * A dialog with an item's form: checks the fields' rules, sends the body, and shows the gateway's answer
 * on the fields it names (problem+json `errors[].pointer`) or above the form.
 */
export function ItemForm({ title, open, fields, item, submit, onClose, onDone, okText, problem }: ItemFormProps) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (open) setGeneration((n) => n + 1);
  }, [open, item]);
  const formId = `item-form-${useId().replaceAll(":", "")}`;
  return (
    <Modal
      title={title}
      open={open}
      onCancel={onClose}
      okText={okText ?? t("form.save")}
      cancelText={t("form.cancel")}
      okButtonProps={{ htmlType: "submit", form: formId, loading: busy }}
      destroyOnHidden
    >
      <ItemFormBody
        key={generation}
        formId={formId}
        fields={fields}
        item={item}
        submit={submit}
        problem={problem}
        onBusy={setBusy}
        onSaved={() => {
          void message.success(t("filing.done"));
          onDone();
          onClose();
        }}
      />
    </Modal>
  );
}

/** Only what changed from the item (a PATCH sends the keys to change; masked values stay untouched). */
export function changedOnly(fields: readonly FieldSpec[], item: Values, body: Values): Values {
  const before = bodyOf(fields, formValues(fields, item));
  return Object.fromEntries(
    Object.entries(body).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key])),
  );
}
