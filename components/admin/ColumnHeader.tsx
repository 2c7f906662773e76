import type { ReactNode } from "react";

/** A console table's plain (unsorted) column heading. */
export function ColumnHeader({ children }: { children: ReactNode }) {
  return (
    <th scope="col" className="px-3 py-2.5 font-medium">
      {children}
    </th>
  );
}

/** The heading of a console table's actions column: read out, not shown. */
export function ActionsHeader() {
  return (
    <ColumnHeader>
      <span className="sr-only">Actions</span>
    </ColumnHeader>
  );
}
