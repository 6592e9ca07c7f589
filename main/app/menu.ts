// The Vietnamese application menu: standard roles only. Commands of the application itself
// (Ctrl+N new incoming document, Ctrl+F search) are handled by the renderer, so the DeskApi stays
// as the contract defines it.
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

export function buildAppMenu(window: () => BrowserWindow | null): Menu {
  const dev = !app.isPackaged;
  const view: MenuItemConstructorOptions[] = [
    { role: 'zoomIn', label: 'Phóng to' },
    { role: 'zoomOut', label: 'Thu nhỏ' },
    { role: 'resetZoom', label: 'Kích thước thật' },
    { type: 'separator' },
    { role: 'togglefullscreen', label: 'Toàn màn hình' },
  ];
  if (dev)
    view.push(
      { type: 'separator' },
      { role: 'reload', label: 'Tải lại' },
      { role: 'toggleDevTools', label: 'Công cụ phát triển' },
    );
  const template: MenuItemConstructorOptions[] = [
    { label: 'Tệp', submenu: [{ role: 'quit', label: 'Thoát' }] },
    {
      label: 'Chỉnh sửa',
      submenu: [
        { role: 'undo', label: 'Hoàn tác' },
        { role: 'redo', label: 'Làm lại' },
        { type: 'separator' },
        { role: 'cut', label: 'Cắt' },
        { role: 'copy', label: 'Sao chép' },
        { role: 'paste', label: 'Dán' },
        { role: 'selectAll', label: 'Chọn tất cả' },
      ],
    },
    { label: 'Xem', submenu: view },
    {
      label: 'Trợ giúp',
      submenu: [
        {
          label: 'Giới thiệu SecureDesk',
          click: () => {
            const options = {
              type: 'info' as const,
              title: 'Giới thiệu SecureDesk',
              message: `SecureDesk ${app.getVersion()}`,
              detail: 'Phần mềm quản lý văn bản mật trên máy trạm mạng nội bộ.',
              buttons: ['Đóng'],
              noLink: true,
            };
            const win = window();
            void (win && !win.isDestroyed() ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
          },
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
