import type { AiCategory } from '@helpdesk/contracts';

export const TEMPLATE_LANGUAGES = ['en', 'de', 'es'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

interface Template {
  greeting: string;
  body: Record<AiCategory, string>;
  closing: string;
}

/** Reply drafts by category; `{subject}` is replaced by the ticket's subject. An agent edits them before sending. */
const TEMPLATES: Record<TemplateLanguage, Template> = {
  en: {
    greeting: 'Hello,',
    body: {
      billing: 'Thank you for contacting us about "{subject}". I have forwarded your billing question to our accounts team, who will check your invoices and payments and correct anything that is wrong. Any refund due goes back to the original payment method.',
      technical: 'Thank you for reporting "{subject}". To help us find the cause, could you tell us which device, browser or app version you use and the exact steps that lead to the problem? A screenshot of any error message helps too.',
      account: 'Thank you for getting in touch about "{subject}". For your security we can only change account access after confirming your identity, so please reply from the email address registered on the account.',
      shipping: 'Thank you for your message about "{subject}". I am checking the status of your shipment with the carrier and will update you as soon as I hear back. If anything arrived damaged, a photo of the parcel and the item helps us replace it quickly.',
      feature_request: 'Thank you for the suggestion "{subject}". I have shared it with our product team, who review every request when planning the roadmap.',
      bug: 'Thank you for reporting "{subject}". I was able to pass the details to our engineers; could you tell us when it first happened and whether it happens every time? We will let you know when a fix is available.',
      other: 'Thank you for your message about "{subject}". I have passed it to the right team, and we will get back to you shortly.',
    },
    closing: 'Kind regards',
  },
  de: {
    greeting: 'Guten Tag,',
    body: {
      billing: 'vielen Dank für Ihre Nachricht zu „{subject}“. Ich habe Ihre Frage zur Abrechnung an unsere Buchhaltung weitergeleitet, die Ihre Rechnungen und Zahlungen prüft und Fehler korrigiert. Eine Erstattung erfolgt auf das ursprüngliche Zahlungsmittel.',
      technical: 'vielen Dank für Ihre Meldung zu „{subject}“. Damit wir die Ursache finden, nennen Sie uns bitte Gerät, Browser oder App-Version und die genauen Schritte, die zum Problem führen. Ein Screenshot der Fehlermeldung hilft ebenfalls.',
      account: 'vielen Dank für Ihre Nachricht zu „{subject}“. Zu Ihrer Sicherheit ändern wir den Kontozugang erst, nachdem wir Ihre Identität bestätigt haben. Bitte antworten Sie von der E-Mail-Adresse, die für das Konto hinterlegt ist.',
      shipping: 'vielen Dank für Ihre Nachricht zu „{subject}“. Ich prüfe den Status Ihrer Sendung beim Versanddienstleister und melde mich, sobald ich eine Antwort habe. Falls etwas beschädigt ankam, hilft uns ein Foto von Paket und Artikel beim schnellen Ersatz.',
      feature_request: 'vielen Dank für Ihren Vorschlag „{subject}“. Ich habe ihn an unser Produktteam weitergegeben, das jede Anregung bei der Planung berücksichtigt.',
      bug: 'vielen Dank für Ihre Fehlermeldung zu „{subject}“. Ich habe die Details an unsere Entwickler weitergegeben. Können Sie uns sagen, wann der Fehler zuerst auftrat und ob er jedes Mal auftritt? Wir informieren Sie, sobald eine Korrektur verfügbar ist.',
      other: 'vielen Dank für Ihre Nachricht zu „{subject}“. Ich habe sie an das zuständige Team weitergeleitet; wir melden uns in Kürze.',
    },
    closing: 'Mit freundlichen Grüßen',
  },
  es: {
    greeting: 'Hola:',
    body: {
      billing: 'Gracias por escribirnos sobre «{subject}». He enviado su consulta de facturación a nuestro equipo de contabilidad, que revisará sus facturas y pagos y corregirá cualquier error. Los reembolsos se devuelven al medio de pago original.',
      technical: 'Gracias por informarnos sobre «{subject}». Para encontrar la causa, indíquenos qué dispositivo, navegador o versión de la aplicación utiliza y los pasos exactos que llevan al problema. Una captura del mensaje de error también ayuda.',
      account: 'Gracias por contactarnos sobre «{subject}». Por su seguridad, solo podemos cambiar el acceso a la cuenta después de confirmar su identidad; responda desde la dirección de correo registrada en la cuenta.',
      shipping: 'Gracias por su mensaje sobre «{subject}». Estoy comprobando el estado de su envío con la empresa de transporte y le informaré en cuanto tenga respuesta. Si algo llegó dañado, una foto del paquete y del artículo nos ayuda a reponerlo rápidamente.',
      feature_request: 'Gracias por la sugerencia «{subject}». La he compartido con nuestro equipo de producto, que revisa cada propuesta al planificar.',
      bug: 'Gracias por informar sobre «{subject}». He pasado los detalles a nuestros ingenieros. ¿Podría decirnos cuándo ocurrió por primera vez y si ocurre siempre? Le avisaremos cuando haya una solución.',
      other: 'Gracias por su mensaje sobre «{subject}». Lo he enviado al equipo adecuado y le responderemos en breve.',
    },
    closing: 'Saludos cordiales',
  },
};

function isTemplateLanguage(language: string): language is TemplateLanguage {
  return (TEMPLATE_LANGUAGES as readonly string[]).includes(language);
}

/** A draft in the requester's language when a template exists for it, otherwise in English. */
export function templateReply(category: AiCategory, language: string, subject: string): { reply: string; language: TemplateLanguage } {
  const chosen = isTemplateLanguage(language) ? language : 'en';
  const template = TEMPLATES[chosen];
  const body = template.body[category].replaceAll('{subject}', subject);
  return { reply: `${template.greeting}\n\n${body}\n\n${template.closing}`, language: chosen };
}
