/** The controls this DC implements (MS-ADTS 3.1.1.3.4.1), advertised in the rootDSE's supportedControl. */
export const Controls = {
  pagedResults: '1.2.840.113556.1.4.319',
  permissiveModify: '1.2.840.113556.1.4.1413',
} as const;
