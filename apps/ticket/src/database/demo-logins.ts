/**
 * Demo logins: fixed and printed on purpose, which is why seeding refuses to run in production.
 * Without imports, so that `npm start` can read them from dist to print them.
 */
export const DEMO_SLUG = 'demo';
export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO_USERS = [
  { email: 'admin@demo.helpdesk.test', name: 'Ada Admin', role: 'admin' },
  { email: 'alan@demo.helpdesk.test', name: 'Alan Agent', role: 'agent' },
  { email: 'grace@demo.helpdesk.test', name: 'Grace Agent', role: 'agent' },
  { email: 'carla@customer.test', name: 'Carla Customer', role: 'customer' },
] as const;
