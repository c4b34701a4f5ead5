import { type FormEvent, useState } from 'react';
import { useInitialFocus } from './useInitialFocus.ts';

/**
 * A form that names something new: the name input (focused on opening, required) and a submit
 * handler that passes the trimmed name on, never an empty one.
 */
export function useNameForm(onSubmit: (name: string) => void) {
  const [text, setText] = useState('');
  const inputRef = useInitialFocus<HTMLInputElement>();
  const name = text.trim();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name !== '') onSubmit(name);
  };
  return { name, submit, input: { value: text, onChange: setText, required: true, inputRef } };
}
