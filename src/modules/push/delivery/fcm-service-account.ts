import { createPrivateKey, type KeyObject } from 'node:crypto';

/** The fields of a Google service-account key (the JSON downloaded from the Firebase console) that FCM needs. */
export interface FcmServiceAccount {
  project_id: string;
  client_email: string;
  /** PEM, PKCS#8 (`BEGIN PRIVATE KEY`) as Google issues it, or PKCS#1 (`BEGIN RSA PRIVATE KEY`). */
  private_key: string;
  private_key_id?: string;
  /** Where the OAuth2 assertion is exchanged; `https://oauth2.googleapis.com/token` when absent. */
  token_uri?: string;
}

export const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** Google project ids are lower-case letters, digits and hyphens; older domain-scoped ones add `.` and `:`. */
const PROJECT_ID = /^[a-z0-9][a-z0-9.:-]{0,99}$/;

class InvalidServiceAccount extends Error {
  override name = 'InvalidServiceAccount';
}

const invalid = (reason: string): never => {
  throw new InvalidServiceAccount(`invalid FCM service account: ${reason}`);
};

function requiredString(account: Record<string, unknown>, field: string): string {
  const value = account[field];
  if (typeof value !== 'string' || value.trim() === '') invalid(`"${field}" is missing`);
  return (value as string).trim();
}

function optionalString(account: Record<string, unknown>, field: string): string | undefined {
  const value = account[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') invalid(`"${field}" must be a string`);
  return (value as string).trim();
}

/** The RSA private key of a PEM, or undefined. A key pasted with literal `\n` (as in an env variable) is accepted. */
export function rsaPrivateKeyOf(pem: string): KeyObject | undefined {
  const text = !pem.includes('\n') && pem.includes('\\n') ? pem.replaceAll('\\n', '\n') : pem;
  if (!text.trimStart().startsWith('-----BEGIN ')) return undefined;
  try {
    const key = createPrivateKey({ key: text, format: 'pem' });
    return key.asymmetricKeyType === 'rsa' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates a pasted service-account key (an object or its JSON text) and keeps the fields FCM
 * needs. Throws an Error whose message says which field is wrong, never quoting a value.
 */
export function parseFcmServiceAccount(json: unknown): FcmServiceAccount {
  let value = json;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      invalid('not valid JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('not a JSON object');
  const account = value as Record<string, unknown>;
  if (account.type !== undefined && account.type !== 'service_account')
    invalid('"type" must be "service_account" (a service-account key from the Firebase console)');

  const projectId = requiredString(account, 'project_id');
  if (!PROJECT_ID.test(projectId)) invalid('"project_id" is not a Google project id');
  const clientEmail = requiredString(account, 'client_email');
  if (!/^[^\s@]+@[^\s@]+$/.test(clientEmail)) invalid('"client_email" is not an email address');
  const privateKeyPem = requiredString(account, 'private_key');
  const privateKey = rsaPrivateKeyOf(privateKeyPem);
  if (!privateKey) invalid('"private_key" is not a PEM RSA private key');
  const tokenUri = optionalString(account, 'token_uri');
  if (tokenUri !== undefined && !/^https?:\/\//.test(tokenUri)) invalid('"token_uri" is not an http(s) URL');
  const privateKeyId = optionalString(account, 'private_key_id');

  return {
    project_id: projectId,
    client_email: clientEmail,
    private_key: (privateKey as KeyObject).export({ type: 'pkcs8', format: 'pem' }) as string,
    ...(privateKeyId ? { private_key_id: privateKeyId } : {}),
    ...(tokenUri ? { token_uri: tokenUri } : {}),
  };
}
