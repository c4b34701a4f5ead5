import type { ReactNode } from 'react';
import { Form } from './Field.tsx';
import { PrimaryButton } from './PageHeader.tsx';

/** The one-row form under a list that adds to it: its fields, the add button, then any remark. */
export function AddForm({
  className,
  onSubmit,
  label,
  disabled,
  testId,
  remark,
  children,
}: {
  className?: string | undefined;
  onSubmit: () => void;
  label: string;
  disabled: boolean;
  testId: string;
  remark?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Form className={className ? `toolbar ${className}` : 'toolbar'} onSubmit={onSubmit}>
      {children}
      <PrimaryButton disabled={disabled} testId={testId}>
        {label}
      </PrimaryButton>
      {remark}
    </Form>
  );
}
