import type { Role } from './principal.js';
import type { TicketPriority } from './tickets.js';

/** How a team's unassigned tickets get an assignee (DESIGN section 14, docs/workflow.md "Assignment"). */
export const TEAM_ASSIGNMENTS = ['manual', 'round_robin', 'load_balanced'] as const;
export type TeamAssignment = (typeof TEAM_ASSIGNMENTS)[number];

export interface TeamView {
  id: string;
  name: string;
  assignment: TeamAssignment;
  /** Sorted, so two replies for the same membership compare equal. */
  memberIds: string[];
  createdAt: string;
}

export interface SlaPolicyView {
  id: string;
  name: string;
  priority: TicketPriority;
  firstResponseMinutes: number;
  nextResponseMinutes: number | null;
  resolutionMinutes: number;
  businessHoursOnly: boolean;
  /** One active policy per priority; tickets keep pointing at a retired one. */
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Attachment metadata; the bytes live in the gateway's object store. */
export interface AttachmentView {
  id: string;
  ticketId: string;
  commentId: string | null;
  /** Sanitized: one safe path segment. */
  filename: string;
  contentType: string;
  size: number;
  /** Lowercase hex. */
  sha256: string;
  uploadedBy: string;
  createdAt: string;
}

/** attachments.get: what the gateway needs to stream the bytes. Never in lists or events. */
export interface AttachmentDownloadView extends AttachmentView {
  objectKey: string;
}

/**
 * attachments.allowance: the organization's attachment quota (ORG_ATTACHMENT_QUOTA_MB) as it stands,
 * for the gateway to stop storing an upload that would pass it. Advisory: the quota is enforced
 * again, under a lock, when attachments.add records the metadata.
 */
export interface AttachmentAllowanceView {
  ticketId: string;
  /** Bytes of the organization's attachments recorded so far. */
  storedBytes: number;
  quotaBytes: number;
  /** quotaBytes - storedBytes, never below 0 (the quota may have been lowered). */
  remainingBytes: number;
}

/** Answer of the delete commands (teams.delete, slaPolicies.delete). */
export interface DeletedReply {
  deleted: true;
}

/**
 * Data of `user.invited`: never a token; the notification service asks for an invitation link
 * (`auth.issueInvitationLink`) when it sends the mail.
 */
export type UserInvitedData = {
  userId: string;
  email: string;
  name: string;
  role: Role;
  invitedBy: string;
};

/**
 * Data of `user.deactivated` and `user.role_changed`: the user's live connections (realtime) were
 * opened for the old account and end at once, rather than when their access token expires.
 */
export type UserAccessChangedData = {
  userId: string;
  /** The role after the change (for `user.deactivated`, the role the user kept). */
  role: Role;
  /** The role before, for `user.role_changed`. */
  previousRole?: Role;
};

/** Data of `user.bouncing` (a bounce named the address; actor: the system) and `user.bounce_cleared` (staff cleared it, or the user wrote in again). */
export type UserBounceData = {
  userId: string;
  /** ISO 8601: when the address started bouncing (for `user.bounce_cleared`, the mark that was cleared). */
  bouncingSince: string;
};

/** Data of `attachment.added`. Consumers must keep attachments of internal comments from customers. */
export type AttachmentAddedData = {
  attachment: AttachmentView;
  /** True when the attachment belongs to an internal comment. */
  internal: boolean;
  ticket: { id: string; number: number; requesterId: string; assigneeId: string | null; teamId: string | null };
};
