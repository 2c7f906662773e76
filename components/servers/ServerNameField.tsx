import type { ReactNode, Ref } from "react";
import { inputStyles } from "../ui/Field";

// A server name typed by the person, checked as they type (lib/policy/server-name.ts): the
// reason replaces the hint under the field and is announced, so nobody submits a name that will
// be refused. Used wherever a new server is named: My servers, the launch form, the launch page.

export const nameRules = (maxLength: number) => `1–${maxLength} characters: lowercase letters, digits and single hyphens, starting with a letter.`;

export function ServerNameField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Why the name cannot be used, or null. */
  problem: string | null;
  /** Shown while there is no problem. */
  hint: ReactNode;
  ref?: Ref<HTMLInputElement>;
  placeholder?: string;
  /** A smaller label, for a field nested in a choice. */
  compact?: boolean;
}) {
  const { id, problem, ref } = props;
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className={props.compact ? "block text-xs font-medium text-slate-700" : "block text-sm font-medium text-slate-800"}>
        {props.label}
      </label>
      <input
        ref={ref}
        id={id}
        name="name"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        placeholder={props.placeholder}
        maxLength={200}
        aria-invalid={problem ? true : undefined}
        aria-describedby={`${id}-help`}
        className={inputStyles}
      />
      <p id={`${id}-help`} aria-live="polite" className={`flex items-start gap-1.5 text-xs leading-relaxed ${problem ? "text-red-700" : "text-slate-500"}`}>
        {problem ? (
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="mt-px h-3.5 w-3.5 shrink-0">
            <path fillRule="evenodd" clipRule="evenodd" d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z" />
          </svg>
        ) : null}
        <span>{problem ?? props.hint}</span>
      </p>
    </div>
  );
}
