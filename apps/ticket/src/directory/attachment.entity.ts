import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Metadata of a file whose bytes the gateway keeps in the object store under `objectKey`. */
@Entity({ name: 'attachments' })
export class Attachment {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('uuid', { name: 'ticket_id' })
  ticketId!: string;

  @Column('uuid', { name: 'comment_id', nullable: true })
  commentId!: string | null;

  /** Sanitized: one safe path segment. */
  @Column('text')
  filename!: string;

  @Column('text', { name: 'content_type' })
  contentType!: string;

  // bigint arrives as a string from pg; uploads are capped at 10 MiB, well inside a JS number.
  @Column('bigint', { transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  size!: number;

  @Column('text')
  sha256!: string;

  @Column('text', { name: 'object_key' })
  objectKey!: string;

  @Column('uuid', { name: 'uploaded_by' })
  uploadedBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
