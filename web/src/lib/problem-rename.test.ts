import { describe, expect, it } from 'vitest';
import { ApiProblem, formErrors, listAsOneField, withFieldNames } from './problem';

describe('withFieldNames', () => {
  it('puts the errors of a list item on the control that edits the whole list', () => {
    const problem = new ApiProblem(403, {
      code: 'role-not-grantable', field: 'roles.1', message_vi: 'Bạn không thể cấp vai trò này',
    });
    const renamed = withFieldNames(problem, listAsOneField('roles')) as ApiProblem;
    expect(renamed.status).toBe(403);
    expect(formErrors(renamed, ['roles', 'username']).fields).toEqual([
      { name: ['roles'], errors: ['Bạn không thể cấp vai trò này'] },
    ]);
  });
  it('leaves other fields and other errors alone', () => {
    const problem = new ApiProblem(422, { errors: [{ field: 'username', message_vi: 'Sai' }] });
    expect((withFieldNames(problem, listAsOneField('roles')) as ApiProblem).body.errors?.[0].field).toBe('username');
    const network = new Error('x');
    expect(withFieldNames(network, listAsOneField('roles'))).toBe(network);
  });
});

describe('fieldPath', () => {
  it('reads list indexes written with brackets as well as with dots', () => {
    const problem = new ApiProblem(422, { errors: [
      { field: 'lines[3].salary_vnd', message_vi: 'Cần tiền lương' },
      { field: 'lines.4.paid_vnd', message_vi: 'Giá trị quá nhỏ' },
    ] });
    expect(formErrors(problem, ['lines']).fields).toEqual([
      { name: ['lines', 3, 'salary_vnd'], errors: ['Cần tiền lương'] },
      { name: ['lines', 4, 'paid_vnd'], errors: ['Giá trị quá nhỏ'] },
    ]);
  });
});
