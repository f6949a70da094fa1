import { useEffect, useState } from 'react';
import { actions } from './appContext';

/** Drop a NIfTI anywhere on the page, or pick one with the button. */
export function DropZone() {
  const [over, setOver] = useState(false);
  useEffect(() => {
    const onOver = (e: DragEvent) => {
      e.preventDefault();
      setOver(true);
    };
    const onLeave = (e: DragEvent) => {
      if (e.relatedTarget === null) setOver(false);
    };
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      setOver(false);
      const file = e.dataTransfer?.files[0];
      if (file) void actions.openFile(file);
    };
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
  return (
    <label className={over ? 'drop-zone over' : 'drop-zone'} data-testid="drop-zone">
      <span>Drop a CT (.nii / .nii.gz) anywhere, or click to choose</span>
      <input
        type="file"
        accept=".nii,.gz,.nii.gz"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file) void actions.openFile(file);
        }}
      />
    </label>
  );
}
