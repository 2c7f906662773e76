const base =
  "inline-flex items-center justify-center gap-2 rounded-lg px-3.5 py-2 text-sm font-medium whitespace-nowrap transition-[background-color,border-color,color,box-shadow] duration-150 disabled:cursor-not-allowed disabled:opacity-50";

export const buttonStyles = {
  primary: `${base} bg-brand-700 text-white shadow-sm shadow-brand-900/10 ring-1 ring-inset ring-brand-800/30 hover:bg-brand-800 active:bg-brand-900 disabled:hover:bg-brand-700`,
  secondary: `${base} border border-slate-300 bg-white text-slate-800 shadow-xs hover:border-slate-400 hover:bg-slate-50 active:bg-slate-100 disabled:hover:bg-white`,
  danger: `${base} bg-red-600 text-white shadow-sm ring-1 ring-inset ring-red-700/30 hover:bg-red-700 active:bg-red-800 disabled:hover:bg-red-600`,
  ghostDanger: `${base} text-red-700 hover:bg-red-50 active:bg-red-100 disabled:hover:bg-transparent`,
};
