import { useEffect, useRef, useState } from 'react';
import { actions } from './appContext';
import { filesFromDrop, filesFromInput } from './droppedFiles';
import { LabelMapChoice } from './LabelMapChoice';
import { SegChoice } from './SegChoice';
import { SeriesChooser } from './SeriesChooser';

/** Drop a NIfTI, a DICOM folder or DICOM files anywhere on the page, or pick them with the buttons. */
export function DropZone() {
  const [over, setOver] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  useEffect(() => folderInput.current?.setAttribute('webkitdirectory', ''), []);
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
      if (e.dataTransfer) void filesFromDrop(e.dataTransfer).then((files) => actions.openFiles(files));
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
  const pick = (e: React.ChangeEvent<HTMLInputElement>): void => {
    const files = filesFromInput(e.currentTarget.files);
    e.currentTarget.value = '';
    void actions.openFiles(files);
  };
  return (
    <>
      <label className={over ? 'drop-zone over' : 'drop-zone'} data-testid="drop-zone">
        <span>Drop a CT (.nii / .nii.gz, or a DICOM folder) anywhere, or click to choose files; a model card (.json) with its .onnx files adds that model</span>
        <input
          type="file"
          multiple
          onChange={pick}
        />
      </label>
      <label className="folder-pick" data-testid="folder-pick" title="A folder of DICOM files (subfolders included)">
        <span className="button-like">Choose a DICOM folder…</span>
        <input
          ref={folderInput}
          type="file"
          multiple
          onChange={pick}
        />
      </label>
      <SeriesChooser />
      <LabelMapChoice />
      <SegChoice />
    </>
  );
}
