import type { ReactNode } from 'react';

/** Previous and next page of a list of `total` items shown `pageSize` at a time, with the range shown. */
export function Pager(props: {
  page: number;
  pageSize: number;
  total: number;
  loading?: boolean;
  onPage: (page: number) => void;
  /** More controls at the end of the row (a refresh button). */
  children?: ReactNode;
}) {
  const { page, pageSize, total } = props;
  const first = total === 0 ? 0 : page * pageSize + 1;
  const last = Math.min(total, (page + 1) * pageSize);
  return (
    <div className="row pager">
      <button type="button" disabled={page === 0} onClick={() => props.onPage(page - 1)}>
        Previous page
      </button>
      <span role="status">{props.loading ? 'Loading…' : `${first}–${last} of ${total}`}</span>
      <button type="button" disabled={last >= total} onClick={() => props.onPage(page + 1)}>
        Next page
      </button>
      {props.children}
    </div>
  );
}
