import Link from "next/link";

export default function NotFound() {
  return (
    <div className="mx-auto mt-8 max-w-md rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-slate-600">There is nothing at this address. Check the link, or go back to your servers.</p>
      <Link href="/servers" className="mt-4 inline-block rounded-md bg-brand-700 px-3 py-2 text-sm font-medium text-white hover:bg-brand-800">
        My servers
      </Link>
    </div>
  );
}
