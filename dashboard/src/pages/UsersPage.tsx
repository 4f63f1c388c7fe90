import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { type UserSummary, USERS_PAGE_SIZE, useDeleteUser, useRevokeTokens, useUsers } from '../api/chat';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { Pager } from '../components/Pager';
import { TableWrap } from '../components/TableWrap';

export function UsersPage({ appId }: { appId: string }) {
  const [input, setInput] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(0);
  const [deleting, setDeleting] = useState<UserSummary>();
  const users = useUsers(appId, search, page);
  const revoke = useRevokeTokens(appId);
  const remove = useDeleteUser(appId);
  const total = users.data?.totalCount ?? 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSearch(input.trim());
    setPage(0);
  };
  return (
    <>
      <h1>Users</h1>
      <form className="row" onSubmit={submit} aria-label="Search users">
        <label className="field grow">
          <span>Nickname contains</span>
          <input type="search" value={input} onChange={(event) => setInput(event.target.value)} />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      <ErrorMessage error={users.error ?? revoke.error} />
      {revoke.isSuccess && (
        <p className="success" role="status">
          Tokens revoked: that user must sign in again.
        </p>
      )}
      <TableWrap label="Users">
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Nickname</th>
              <th scope="col">Last login</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(users.data?.data ?? []).map((user) => (
              <tr key={user._id}>
                <th scope="row" className="mono">
                  <Link href={`/apps/${appId}/users/${encodeURIComponent(user._id)}`}>{user._id}</Link>
                </th>
                <td>{user.nickname || '—'}</td>
                <td>{user.lastLoginTimeMS ? formatTime(user.lastLoginTimeMS) : 'never'}</td>
                <td>
                  <div className="actions">
                    <Link
                      href={`/apps/${appId}/rooms?user=${encodeURIComponent(user._id)}`}
                      aria-label={`Rooms of ${user._id}`}
                    >
                      Rooms
                    </Link>
                    <button
                      type="button"
                      onClick={() => revoke.mutate(user._id)}
                      aria-label={`Revoke tokens of ${user._id}`}
                    >
                      Revoke tokens
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => setDeleting(user)}
                      aria-label={`Delete ${user._id}`}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
            {users.data && users.data.data.length === 0 && (
              <tr>
                <td colSpan={4}>No users match.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableWrap>
      <Pager page={page} pageSize={USERS_PAGE_SIZE} total={total} onPage={setPage} />
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting._id}?`}
          confirm="Delete user"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(deleting._id, { onSuccess: () => setDeleting(undefined) })}
          onClose={() => setDeleting(undefined)}
        >
          <p>The user is deleted with their tokens; this cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
