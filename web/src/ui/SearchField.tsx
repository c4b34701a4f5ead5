/** A labelled search box over a list; the label sits above the box. */
export function SearchField({
  className,
  label,
  placeholder,
  value,
  onChange,
  testId,
}: {
  className: string;
  label: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
}) {
  return (
    <label className={className}>
      {label}
      <input
        type="search"
        data-testid={testId}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
