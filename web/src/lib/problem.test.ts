import { describe, expect, it } from 'vitest';
import { ApiProblem, fieldPath, formErrors } from './problem';

describe('formErrors', () => {
  it('puts each message on the field the API names, keeping several errors of one field together', () => {
    const problem = new ApiProblem(422, {
      code: 'invalid-input',
      message_vi: 'Dữ liệu gửi lên không hợp lệ',
      errors: [
        { field: 'full_name', message_vi: 'Giá trị quá ngắn' },
        { field: 'id_number', message_vi: 'Số CCCD không khớp giới tính' },
        { field: 'id_number', message_vi: 'Số CCCD không khớp năm sinh' },
      ],
    });
    const { fields, other } = formErrors(problem, ['full_name', 'id_number', 'gender']);
    expect(fields).toEqual([
      { name: ['full_name'], errors: ['Giá trị quá ngắn'] },
      { name: ['id_number'], errors: ['Số CCCD không khớp giới tính', 'Số CCCD không khớp năm sinh'] },
    ]);
    expect(other).toEqual([]);
  });

  it('shows what names no field of the form above it, in Vietnamese only, with the row when there is one', () => {
    const problem = new ApiProblem(422, {
      message_vi: 'Không thể đề nghị in thẻ',
      errors: [{ field: 'member_ids[0]', message_vi: 'Đoàn viên chưa được phê duyệt' },
               { field: 'units.2.code', row: 3, message_vi: 'Mã đơn vị đã có' }],
    });
    const { fields, other } = formErrors(problem, ['kind']);
    expect(fields).toEqual([]);
    expect(other).toEqual(['Đoàn viên chưa được phê duyệt', 'Dòng 3: Mã đơn vị đã có']);
  });

  it('uses the top-level field of a problem without a list of errors', () => {
    const problem = new ApiProblem(409, { code: 'duplicate-member', field: 'id_number', message_vi: 'Đã là đoàn viên' });
    expect(formErrors(problem, ['id_number']).fields).toEqual([{ name: ['id_number'], errors: ['Đã là đoàn viên'] }]);
  });

  it('maps nested and indexed field names to form name paths', () => {
    expect(fieldPath('employer.name')).toEqual(['employer', 'name']);
    expect(fieldPath('lines.0.salary_vnd')).toEqual(['lines', 0, 'salary_vnd']);
  });
});

describe('ApiProblem', () => {
  it('says a network failure plainly and offers a retry only where asking again may help', () => {
    const offline = ApiProblem.network(new TypeError('Failed to fetch'));
    expect(offline.messageVi).toMatch(/Không kết nối được máy chủ/);
    expect(offline.retryable).toBe(true);
    expect(new ApiProblem(422, { message_vi: 'Sai' }).retryable).toBe(false);
    expect(new ApiProblem(503, {}).retryable).toBe(true);
    expect(new ApiProblem(500, { message_en: 'boom' }).messageVi).toBe('Có lỗi xảy ra. Vui lòng thử lại sau.');
  });
});
