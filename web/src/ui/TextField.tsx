import type { InputHTMLAttributes, ReactNode, Ref, TextareaHTMLAttributes } from 'react';
import { useTypedValue } from './useTypedValue.ts';

/** A one-line text input with its label above it (the label wraps the input, so it names it). */
export function TextField({
  label,
  onChange,
  inputRef,
  ...input
}: {
  label: ReactNode;
  onChange: (value: string) => void;
  inputRef?: Ref<HTMLInputElement> | undefined;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange'> & { 'data-testid'?: string }) {
  return (
    <label>
      {label}
      <input ref={inputRef} {...input} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

/** A text area with its label above it (the label wraps it, so it names it). */
export function TextAreaField({
  label,
  onChange,
  ...area
}: {
  label: ReactNode;
  onChange: (value: string) => void;
} & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange'>) {
  return (
    <label>
      {label}
      <textarea {...area} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

/**
 * A TextField over a value that is costly to change: each key is shown at once and handed on in a
 * transition (`useTypedValue`).
 */
export function TypedTextField({
  value,
  onChange,
  onBlur,
  onKeyDown,
  ...rest
}: Parameters<typeof TextField>[0] & { value: string }) {
  const typed = useTypedValue(value, onChange);
  return (
    <TextField
      {...rest}
      value={typed.shown}
      onChange={typed.change}
      onBlur={(e) => {
        typed.flush();
        onBlur?.(e);
      }}
      onKeyDown={(e) => {
        typed.keyDown(e);
        onKeyDown?.(e);
      }}
    />
  );
}

/** A TextAreaField over a value that is costly to change (see TypedTextField). */
export function TypedTextAreaField({
  value,
  onChange,
  onBlur,
  onKeyDown,
  ...rest
}: Parameters<typeof TextAreaField>[0] & { value: string }) {
  const typed = useTypedValue(value, onChange);
  return (
    <TextAreaField
      {...rest}
      value={typed.shown}
      onChange={typed.change}
      onBlur={(e) => {
        typed.flush();
        onBlur?.(e);
      }}
      onKeyDown={(e) => {
        typed.keyDown(e);
        onKeyDown?.(e);
      }}
    />
  );
}
