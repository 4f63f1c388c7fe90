import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';
import { iso } from '../../shared/time.js';
import type { StoredFile } from './files.repository.js';

const Bucket = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });

export const BucketParams = Type.Object({ bucket: Bucket });
export const FileParams = Type.Object({ bucket: Bucket, id: Type.String({ minLength: 1, maxLength: 64 }) });

export const DownloadQuery = Type.Object({ signedUrlOnly: Type.Optional(Type.String()) });

export const SignedQuery = Type.Object({
  app: Type.String({ minLength: 1 }),
  expires: Type.Integer(),
  signature: Type.String({ minLength: 1 }),
});

export const MetadataReply = Envelope(
  Type.Object({
    id: Type.String(),
    _id: Type.String(),
    bucket: Type.String(),
    name: Type.String(),
    mimeType: Type.String(),
    size: Type.Integer(),
    owner: Type.Union([Type.String(), Type.Null()]),
    // The uploader's own `extra` JSON object (realtime protocol 6.2): free-form by spec.
    extra: Type.Object({}, { additionalProperties: true }),
    createdAt: Type.String(),
  }),
);

export const metadataView = (file: StoredFile) => ({
  id: file.id,
  _id: file.id,
  bucket: file.bucket,
  name: file.name,
  mimeType: file.mimeType,
  size: file.size,
  owner: file.ownerId,
  extra: file.extra ?? {},
  createdAt: iso(file.createdAt),
});
