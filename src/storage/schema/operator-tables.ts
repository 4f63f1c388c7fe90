/** The dashboard's operators, their sessions and setup links (migration 013). */

export interface OperatorsTable {
  id: string;
  name: string;
  /** argon2id (PHC string) */
  password_hash: string;
  created_at: number;
  updated_at: number;
}

export interface OperatorSessionsTable {
  /** Shown to the operator (list, revoke); never the token. */
  id: string;
  /** SHA-256 (hex) of the cookie's token */
  token_hash: string;
  operator_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  /** Moves forward with use; the session ends when it passes. */
  idle_expires_at: number;
  /** The absolute end of the session, whatever its use. */
  expires_at: number;
  ip: string;
  user_agent: string;
  revoked_at: number | null;
}

export interface OperatorSetupTokensTable {
  /** SHA-256 (hex) of the token in the setup link */
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}
