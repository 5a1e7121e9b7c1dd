import { isRouteErrorResponse, useRouteError } from 'react-router';

/**
 * A screen that failed to load or render: never a blank page. A new release may have replaced its files. Plain
 * HTML (no Ant Design): it is part of what loads before sign-in.
 */
export function RouteError() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <main className="sign-in" role="alert">
      <div className="sign-in-card">
        <h1 style={{ fontSize: 20 }}>{notFound ? 'Không tìm thấy trang' : 'Không mở được trang này'}</h1>
        <p>
          {notFound ? 'Đường dẫn không đúng hoặc trang đã được chuyển.'
            : 'Có thể mạng bị gián đoạn hoặc phần mềm vừa được cập nhật. Hãy tải lại trang.'}
        </p>
        <button type="button" className="plain-button" onClick={() => window.location.reload()}>Tải lại trang</button>
      </div>
    </main>
  );
}
