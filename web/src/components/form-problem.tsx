import { Alert } from 'antd';

/** The API's messages that name no field of the form, above it. */
export function FormProblem({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      style={{ marginBottom: 16 }}
      title={messages.length === 1 ? messages[0] : 'Không thực hiện được'}
      description={messages.length > 1 ? (
        <ul style={{ margin: 0, paddingInlineStart: 20 }}>
          {messages.map((message) => <li key={message}>{message}</li>)}
        </ul>
      ) : undefined}
    />
  );
}
