import type { Availability, TeamAssignment } from '@helpdesk/contracts';

// The bundle takes only types from @helpdesk/contracts; these mirror TEAM_ASSIGNMENTS and AVAILABILITIES there.
export const TEAM_ASSIGNMENT_VALUES: readonly TeamAssignment[] = ['manual', 'round_robin', 'load_balanced'];
export const AVAILABILITY_VALUES: readonly Availability[] = ['online', 'away', 'offline'];
