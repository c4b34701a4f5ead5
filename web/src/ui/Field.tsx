import {
  type FormHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from 'react';

/** A form row: a label above its control, joined by an id the row makes and hands to the control. */
export function Field({
  label,
  className = 'stack-tight',
  children,
}: {
  label: ReactNode;
  className?: string | undefined;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

export interface SelectOption<T extends string> {
  readonly value: T;
  readonly label: string;
  readonly disabled?: boolean | undefined;
}

type SelectProps<T extends string> = {
  options: readonly SelectOption<T>[];
  empty?: { readonly label: string; readonly disabled?: boolean } | undefined;
  value: T | '';
  onChange: (value: T) => void;
  testId?: string | undefined;
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'>;

/**
 * A native select over a list of options; `onChange` gets the chosen value. `empty` is a first
 * choice of no value ("Any", "Choose…"), disabled when it only prompts.
 */
export function Select<T extends string>(props: SelectProps<T>) {
  return nativeSelect(props);
}

/** A select in a Field: its label above it, joined by id. */
export function FieldSelect<T extends string>({
  label,
  className,
  ...select
}: { label: ReactNode; className?: string | undefined } & SelectProps<T>) {
  return (
    <Field label={label} className={className}>
      {(id) => <Select id={id} {...select} />}
    </Field>
  );
}

/** A text area in a Field: its label above it, joined by id; `onChange` gets the text. */
export function FieldTextArea({
  label,
  onChange,
  testId,
  ...area
}: {
  label: ReactNode;
  onChange: (value: string) => void;
  testId?: string | undefined;
} & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id' | 'onChange'>) {
  return (
    <Field label={label}>
      {(id) => <textarea id={id} data-testid={testId} {...area} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/** A select with its label above it (the label wraps the select, so it names it). */
export function LabelledSelect<T extends string>({
  label,
  ...select
}: { label: ReactNode } & SelectProps<T>) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the label wraps the native select nativeSelect renders
    <label>
      {label}
      {nativeSelect(select)}
    </label>
  );
}

function nativeSelect<T extends string>({
  options,
  empty,
  value,
  onChange,
  testId,
  ...rest
}: SelectProps<T>) {
  return (
    <select {...rest} value={value} data-testid={testId} onChange={(e) => onChange(e.target.value as T)}>
      {empty && (
        <option value="" disabled={empty.disabled}>
          {empty.label}
        </option>
      )}
      {options.map((o) => (
        <option key={o.value} value={o.value} disabled={o.disabled}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/** A form that stays on the page: submitting it runs `onSubmit` instead of loading a new one. */
export function Form({
  onSubmit,
  ...rest
}: { onSubmit: () => void } & Omit<FormHTMLAttributes<HTMLFormElement>, 'onSubmit'>) {
  return (
    <form
      {...rest}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    />
  );
}
