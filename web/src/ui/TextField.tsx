import type { InputHTMLAttributes, ReactNode, Ref, TextareaHTMLAttributes } from 'react';

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
