/**
 * A table over @tanstack/react-table whose rows are virtualised (@tanstack/react-virtual): only
 * the rows in view are in the DOM, so 100,000 loaded runs scroll as smoothly as 10. Sorting is
 * the caller's (the API sorts); a header click reports the column.
 */
import { useRef } from "react";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";

export interface Sort { column: string; descending: boolean }

interface Props<T> {
  data: T[];
  columns: ColumnDef<T, unknown>[];
  rowId: (row: T) => string;
  onRowClick?: (row: T) => void;
  sort?: Sort | null;
  onSort?: (column: string) => void;
  sortable?: (columnId: string) => boolean;
  height?: number;
  testId?: string;
}

const ROW_HEIGHT = 34;

export function DataTable<T>({ data, columns, rowId, onRowClick, sort, onSort, sortable, height = 560, testId }: Props<T>) {
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), getRowId: rowId });
  const scroller = useRef<HTMLDivElement>(null);
  const rows = table.getRowModel().rows;
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1000, height },
  });
  const items = virtual.getVirtualItems();
  const top = items.length ? items[0].start : 0;
  const bottom = items.length ? virtual.getTotalSize() - items[items.length - 1].end : 0;
  return (
    <div className="table-scroll" ref={scroller} style={{ maxHeight: height }} data-testid={testId}>
      <table className="grid">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const id = header.column.id;
                const can = onSort && (sortable ? sortable(id) : true);
                const arrow = sort?.column === id ? (sort.descending ? " ▼" : " ▲") : "";
                return (
                  <th key={header.id} onClick={can ? () => onSort(id) : undefined}
                      className={can ? "sortable" : undefined} data-column={id}>
                    {flexRender(header.column.columnDef.header, header.getContext())}{arrow}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {top > 0 && <tr style={{ height: top }} aria-hidden />}
          {items.map((item) => {
            const row = rows[item.index];
            return (
              <tr key={row.id} data-row={row.id} style={{ height: ROW_HEIGHT }}
                  className={onRowClick ? "clickable" : undefined}
                  onClick={onRowClick ? () => onRowClick(row.original) : undefined}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                ))}
              </tr>
            );
          })}
          {bottom > 0 && <tr style={{ height: bottom }} aria-hidden />}
        </tbody>
      </table>
      {rows.length === 0 && <p className="muted empty">Nothing to show.</p>}
    </div>
  );
}
