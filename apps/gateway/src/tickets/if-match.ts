import { BadRequestException } from '@nestjs/common';

/** The ticket version from `If-Match`: accepts 3, "3" and W/"3"; absent means "update whatever the version". */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new BadRequestException('If-Match must be the ticket version, for example If-Match: "3"');
  return Number(match[1]);
}

export function etagOf(version: number): string {
  return `"${version}"`;
}
