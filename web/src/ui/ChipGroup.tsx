/** One choice among a few, as a row of toggle chips under a legend; the chosen one is pressed. */
export function ChipGroup<T extends string>({
  className,
  legend,
  options,
  value,
  onChange,
}: {
  className: string;
  legend: string;
  options: readonly { readonly value: T; readonly label: string }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className={className}>
      <legend>{legend}</legend>
      <div className="chips">
        {options.map((o) => (
          <button
            key={o.value}
            type="button"
            className={`chip${value === o.value ? ' active' : ''}`}
            aria-pressed={value === o.value}
            onClick={() => onChange(o.value)}
          >
            {o.label}
          </button>
        ))}
      </div>
    </fieldset>
  );
}
