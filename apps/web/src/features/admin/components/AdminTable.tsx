import { Paper, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** An admin list: a striped, labelled table that scrolls sideways on narrow screens, or a note when there is nothing to list. */
export function AdminTable({ label, columns, minWidth, empty, children }: { label: string; columns: string[]; minWidth: number; empty: string | null; children: ReactNode }) {
  if (empty !== null) {
    return (
      <Paper withBorder p="md">
        <Text size="sm">{empty}</Text>
      </Paper>
    );
  }
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table striped aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((column) => (
              <Table.Th key={column}>{column}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
