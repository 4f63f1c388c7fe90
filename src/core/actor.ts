/**
 * Who performs an operation. The API key is the platform admin, superuser in every room
 * (spec 12 item 11); `userId` is then the user named by `IM-CLIENT-ID`, if any, recorded as the actor.
 */
export interface Actor {
  admin: boolean;
  userId: string | null;
}
