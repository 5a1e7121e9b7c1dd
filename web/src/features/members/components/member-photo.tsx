/** The member's 3x4 photo, and a new one cropped to 3x4 in the browser before it is sent. */

import { CameraOutlined, UserOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Spin, Upload } from 'antd';
import ImgCrop from 'antd-img-crop';
import { useEffect } from 'react';
import { problemMessage } from '@/components/query-state';
import { imageUrl, upload } from '@/lib/files';

export function MemberPhoto({ memberId, hasPhoto, canChange, name }: {
  memberId: string; hasPhoto: boolean; canChange: boolean; name: string;
}) {
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const photo = useQuery({
    queryKey: ['members', memberId, 'photo'],
    queryFn: () => imageUrl(`/api/v1/members/members/${memberId}/photo`),
    enabled: hasPhoto,
    staleTime: Infinity,
  });
  useEffect(() => () => {
    if (photo.data) URL.revokeObjectURL(photo.data);
  }, [photo.data]);

  return (
    <div className="member-photo">
      <div className="member-photo-frame">
        {hasPhoto && photo.isPending ? <Spin /> : photo.data ? (
          <img src={photo.data} alt={`Ảnh của ${name}`} width={150} height={200} />
        ) : (
          <UserOutlined style={{ fontSize: 64, color: '#8c8c8c' }} aria-label="Chưa có ảnh" />
        )}
      </div>
      {canChange && (
        <ImgCrop aspect={3 / 4} quality={0.9} modalTitle="Cắt ảnh theo khổ 3x4" modalOk="Dùng ảnh này" modalCancel="Hủy"
                 rotationSlider showReset resetText="Đặt lại">
          <Upload
            accept="image/jpeg,image/png"
            showUploadList={false}
            customRequest={async ({ file, onSuccess, onError }) => {
              const form = new FormData();
              form.append('file', file as Blob, 'anh.jpg');
              try {
                await upload(`/api/v1/members/members/${memberId}/photo`, form, undefined, 'PUT');
                message.success('Đã cập nhật ảnh');
                await queryClient.invalidateQueries({ queryKey: ['members', memberId] });
                onSuccess?.({});
              } catch (error) {
                message.error(problemMessage(error));
                onError?.(error as Error);
              }
            }}
          >
            <Button icon={<CameraOutlined aria-hidden />} size="small" style={{ marginTop: 8 }}>
              {hasPhoto ? 'Đổi ảnh' : 'Tải ảnh lên'}
            </Button>
          </Upload>
        </ImgCrop>
      )}
    </div>
  );
}
