import '@mantine/dates/styles.css';
import { Checkbox, MultiSelect, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import type { UseFormReturnType } from '@mantine/form';
import type { TicketFieldView } from '@helpdesk/contracts';
import { t } from '../../../i18n';

interface Props<Values extends { fields: Record<string, unknown> }> {
  fields: readonly TicketFieldView[];
  form: UseFormReturnType<Values>;
  /** The API's messages for these fields (e.g. "fields.seats must be a number"), by `fields.<key>`. */
  errors: Record<string, string>;
}

/** One input per custom field, of the kind its type needs; labels say which are required to solve. */
export function CustomFieldInputs<Values extends { fields: Record<string, unknown> }>({ fields, form, errors }: Props<Values>) {
  if (fields.length === 0) return null;
  return (
    <Stack gap="xs" role="group" aria-label={t.ticket.customFields}>
      <Text size="sm" fw={600}>
        {t.ticket.customFields}
      </Text>
      {fields.map((field) => {
        const path = `fields.${field.key}`;
        const common = { label: field.label, withAsterisk: field.requiredToSolve, error: form.errors[path] ?? errors[path] };
        const props = form.getInputProps(path);
        switch (field.type) {
          case 'number':
            return <NumberInput key={field.id} {...props} {...common} />;
          case 'date':
            return <DateInput key={field.id} {...props} {...common} valueFormat="YYYY-MM-DD" clearable placeholder={t.ticket.fieldNotSet} />;
          case 'dropdown':
            return <Select key={field.id} {...props} {...common} data={field.options} clearable placeholder={t.ticket.fieldNotSet} />;
          case 'multiselect':
            return <MultiSelect key={field.id} {...props} {...common} data={field.options} clearable />;
          case 'checkbox':
            return <Checkbox key={field.id} {...form.getInputProps(path, { type: 'checkbox' })} {...common} />;
          default:
            return <TextInput key={field.id} {...props} {...common} />;
        }
      })}
    </Stack>
  );
}
